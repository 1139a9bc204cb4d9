package dev.strata.wire.auth;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScramVerifierTest {
    @Test
    void matches_the_rfc_7677_test_vector() {
        // RFC 7677 section 3: password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations
        ScramVerifier v = ScramVerifier.generate("pencil", Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="),
                4096);
        String authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        byte[] serverSignature = ScramVerifier.hmac(v.serverKey(), authMessage.getBytes());
        assertThat(Base64.getEncoder().encodeToString(serverSignature))
                .isEqualTo("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        byte[] proof = Base64.getDecoder().decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        byte[] signature = ScramVerifier.hmac(v.storedKey(), authMessage.getBytes());
        byte[] clientKey = new byte[32];
        for (int i = 0; i < 32; i++) {
            clientKey[i] = (byte) (proof[i] ^ signature[i]);
        }
        assertThat(ScramVerifier.sha256(clientKey)).isEqualTo(v.storedKey());
    }

    @Test
    void text_form_round_trips_and_bad_forms_name_the_problem() {
        ScramVerifier v = ScramVerifier.generate("secret", 4096);
        assertThat(ScramVerifier.parse(v.format()).format()).isEqualTo(v.format());
        assertThatThrownBy(() -> ScramVerifier.parse("md5abc")).hasMessageContaining("not a SCRAM-SHA-256 verifier");
        assertThatThrownBy(() -> ScramVerifier.parse("SCRAM-SHA-256$x:abc$def:ghi"))
                .hasMessageContaining("bad verifier");
    }

    @Test
    void users_file_skips_comments_and_reports_bad_lines_by_number() throws Exception {
        String line = "alice:" + ScramVerifier.generate("pw", 4096).format();
        ScramUsers users = ScramUsers.parse(List.of("# users", "", line), "users.txt");
        assertThat(users.verifier("alice")).isNotNull();
        assertThat(users.verifier("bob")).isNull();
        assertThatThrownBy(() -> ScramUsers.parse(List.of(line, "bob:plain"), "users.txt"))
                .hasMessageStartingWith("users.txt:2:");
    }
}
