package dev.strata.replication.pgwire;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScramSha256Test {
    private static final String SERVER_FIRST =
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

    /** RFC 7677 section 3: user "user", password "pencil". */
    @Test
    void matchesTheRfc7677Exchange() {
        ScramSha256 s = new ScramSha256("pencil", "rOprNGfwEbeRWgbNEkqO", "user");
        assertThat(new String(s.clientFirst(), StandardCharsets.UTF_8)).isEqualTo("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        String clientFinal = new String(s.clientFinal(SERVER_FIRST.getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8);
        assertThat(clientFinal).isEqualTo("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        s.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aWrongServerSignatureIsRefused() {
        ScramSha256 s = new ScramSha256("pencil", "rOprNGfwEbeRWgbNEkqO", "user");
        s.clientFinal(SERVER_FIRST.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> s.verifyServerFinal("v=AAAA".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("signature");
    }

    @Test
    void aServerNonceThatDoesNotExtendOursIsRefused() {
        ScramSha256 s = new ScramSha256("pencil", "abc", "");
        assertThatThrownBy(() -> s.clientFinal("r=xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("nonce");
    }

    @Test
    void md5PasswordIsComputedAsLibpqDoes() {
        // "md5" + md5hex(md5hex("secret" + "alice") + salt 01 02 03 04), computed independently with hashlib
        assertThat(Authenticator.md5Password("alice", "secret", new byte[] {1, 2, 3, 4}))
                .isEqualTo("md598a0412b9c31436fc53776e863350083");
    }
}
