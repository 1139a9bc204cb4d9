package dev.strata.server.svg;

import dev.strata.storage.key.Key;
import dev.strata.storage.pg.RelTag;
import dev.strata.storage.timeline.LayerInfo;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LayerMapSvgTest {
    private static final Key REL_A = Key.relBlock(new RelTag(1663, 5, 16384, 0), 0);
    private static final Key REL_B = Key.relBlock(new RelTag(1663, 5, 16390, 0), 0);

    static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    static List<Element> layerRects(Document d) {
        List<Element> out = new ArrayList<>();
        NodeList rects = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element e = (Element) rects.item(i);
            if (e.getAttribute("class").startsWith("layer ")) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void drawsEachKindInItsOwnColourWithNewerLsnsHigher() throws Exception {
        List<LayerInfo> layers = List.of(
                new LayerInfo("img", "image", Key.MIN, Key.MAX, 0x100, 0x101, 8192),
                new LayerInfo("l1a", "delta-l1", Key.MIN, REL_B, 0x101, 0x500, 1000),
                new LayerInfo("l1b", "delta-l1", REL_B, Key.MAX, 0x101, 0x500, 1000),
                new LayerInfo("l0", "delta-l0", Key.MIN, Key.MAX, 0x500, 0x900, 500),
                new LayerInfo("open <&>", "in-memory", Key.MIN, Key.MAX, 0x900, -1L, 10));
        String svg = LayerMapSvg.render(new LayerMapSvg.Input("t <1>", layers, 0x950,
                List.of(new LayerMapSvg.Mark("GC cutoff 0/300", 0x300, "#d62728", false),
                        new LayerMapSvg.Mark("branch abc at 0/600", 0x600, "#222", true))));
        Document d = parse(svg);
        List<Element> rects = layerRects(d);
        assertThat(rects).hasSize(5);
        assertThat(rects.stream().map(e -> e.getAttribute("fill")).distinct()).hasSize(4);
        Element image = byClass(rects, "image");
        Element l0 = byClass(rects, "delta-l0");
        assertThat(Double.parseDouble(l0.getAttribute("y"))).isLessThan(Double.parseDouble(image.getAttribute("y")));
        assertThat(svg).contains("GC cutoff 0/300").contains("branch abc at 0/600").contains("L0 delta")
                .contains("in-memory").contains("open &lt;&amp;&gt;");
    }

    @Test
    void emptyLayerMapStillDrawsAPlot() throws Exception {
        Document d = parse(LayerMapSvg.render(new LayerMapSvg.Input("empty", List.of(), 0, List.of())));
        assertThat(d.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(layerRects(d)).isEmpty();
    }

    @Test
    void manyRandomLayersStayWithinThePlot() throws Exception {
        long seed = System.nanoTime();
        System.out.println("LayerMapSvgTest seed " + seed);
        Random rnd = new Random(seed);
        List<LayerInfo> layers = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            Key a = Key.relBlock(new RelTag(1663, 5, 16384 + rnd.nextInt(50), 0), rnd.nextInt(1000));
            Key b = a.next();
            long lsn = rnd.nextInt(1 << 30);
            layers.add(new LayerInfo("x" + i, rnd.nextBoolean() ? "delta-l1" : "image", a, b, lsn,
                    lsn + 1 + rnd.nextInt(1 << 20), 100));
        }
        Document d = parse(LayerMapSvg.render(new LayerMapSvg.Input("big", layers, 1L << 31, List.of())));
        for (Element e : layerRects(d)) {
            double x = Double.parseDouble(e.getAttribute("x"));
            double y = Double.parseDouble(e.getAttribute("y"));
            assertThat(x).isBetween(119.0, 841.0);
            assertThat(y).isBetween(69.0, 661.0);
        }
    }

    @Test
    void keyBoundariesAreNamedByWhatTheyHold() {
        assertThat(LayerMapSvg.describe(Key.MIN)).isEqualTo("start");
        assertThat(LayerMapSvg.describe(Key.MAX)).isEqualTo("end");
        assertThat(LayerMapSvg.describe(REL_A)).isEqualTo("rel 16384 blk 0");
        assertThat(LayerMapSvg.describe(Key.slruBlock(0, 0, 0))).isEqualTo("slru 0");
    }

    private static Element byClass(List<Element> rects, String kind) {
        return rects.stream().filter(e -> e.getAttribute("class").equals("layer " + kind)).findFirst().orElseThrow();
    }
}
