package dev.proxyanchor.spark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.datasets.image.RgbImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** The page parsed as XML: its charts, the best-epoch marks, the metrics beside published figures, the gallery. */
class ReportPageTest {

    @TempDir
    Path dir;

    private Document render(String dataset, String model, int size, Optional<Gallery> gallery) throws Exception {
        String html = ReportFixtures.page(dir.resolve(dataset), dataset, model, size, gallery);
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(html.contains("<link"), "no linked stylesheets or fonts");
        assertFalse(html.matches("(?s).*\\ssrc=\"(?!data:).*"), "every src is inline data");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    private static NodeList nodes(Document page, String xpath) throws Exception {
        XPath x = XPathFactory.newInstance().newXPath();
        return (NodeList) x.evaluate(xpath, page, XPathConstants.NODESET);
    }

    private static String text(Document page, String xpath) throws Exception {
        return XPathFactory.newInstance().newXPath().evaluate(xpath, page);
    }

    @Test
    void chartsShowEveryEpochAndMarkTheBestOne() throws Exception {
        Document page = render("fmnist", "small_cnn", 64, Optional.empty());

        List<String> titles = new ArrayList<>();
        NodeList charts = nodes(page, "//section[@id='curves']//svg");
        for (int i = 0; i < charts.getLength(); i++) {
            titles.add(charts.item(i).getAttributes().getNamedItem("aria-label").getNodeValue());
        }
        assertEquals(List.of("Training loss", "Learning rates", "Recall@K, test set", "Recall@K, seen set", "MAP@R"),
                titles);
        assertEquals(ReportFixtures.EPOCHS, nodes(page, "//svg[@aria-label='Training loss']//circle").getLength());
        assertEquals(3, nodes(page, "//svg[@aria-label='Learning rates']//g[@class='series']").getLength());
        assertEquals(List.of("R@1", "R@2", "R@4", "R@8"), names(nodes(page,
                "//svg[@aria-label='Recall@K, test set']//g[@class='series']/@data-name")));
        assertEquals(2, nodes(page, "//svg[@aria-label='Recall@K, test set']//g[@data-name='R@1']/circle")
                .getLength(), "two evaluated epochs");
        assertEquals(charts.getLength(), nodes(page, "//svg/line[@class='best']").getLength());
        assertEquals("best epoch 2", text(page, "(//svg/line[@class='best'])[1]/title"));
        assertTrue(text(page, "//header").contains("best epoch 2 (test R@1 0.7000)"), text(page, "//header"));
    }

    @Test
    void finalMetricsStandBesideThePublishedFiguresOrSayThereAreNone() throws Exception {
        Document cub = render("cub", "bn_inception", 512, Optional.empty());
        assertEquals(List.of("metric (%)", "best epoch 2", "last epoch 4", "Kim et al., CVPR 2020 (paper)",
                "official README"), names(nodes(cub, "//table[@data-set='eval']/tr[1]/th")));
        assertEquals(List.of("R@1", "70.0", "68.0", "68.4", "69.1"),
                names(nodes(cub, "//table[@data-set='eval']/tr[td[1]='R@1']/td")));
        assertEquals(0, nodes(cub, "//p[@class='none']").getLength());

        Document fmnist = render("fmnist", "small_cnn", 64, Optional.empty());
        assertEquals(3, nodes(fmnist, "//table[@data-set='eval']/tr[1]/th").getLength());
        assertTrue(text(fmnist, "//section[@id='metrics']/p[@class='none']")
                .startsWith("No published figure for fmnist with small_cnn and 64-d embeddings"));
        assertEquals("1.0E-4", text(fmnist, "//table[@class='config']/tr[td[1]='settings.lr']/td[2]"));
    }

    @Test
    void theGalleryShowsEachQueryWithItsNeighboursMarkedByLabel() throws Exception {
        Document page = render("fmnist", "small_cnn", 64, Optional.of(ReportFixtures.gallery()));

        assertEquals(12, nodes(page, "//section[@id='gallery']/div[@class='query-row']").getLength());
        assertEquals(12, nodes(page, "//figure[@class='query']/img").getLength());
        assertEquals(12 * 5, nodes(page, "//figure[@class='correct']/img").getLength());
        assertEquals(12 * 3, nodes(page, "//figure[@class='wrong']/img").getLength());
        assertEquals("0.900, label 0", text(page, "(//div[@class='query-row'])[1]/figure[2]/figcaption"));
        assertTrue(text(page, "(//figure/img)[1]/@src").startsWith("data:image/png;base64,"));
    }

    private static List<String> names(NodeList nodes) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent().trim());
        }
        return out;
    }

    @Test
    void thumbnailsKeepSmallImagesSharpAndFitLargeOnes() throws Exception {
        int[] pixels = new int[28 * 28];
        Arrays.fill(pixels, 0x808080);
        var small = javax.imageio.ImageIO.read(new ByteArrayInputStream(java.util.Base64.getDecoder().decode(
                Thumbnails.dataUri(new RgbImage(28, 28, pixels), 84).substring("data:image/png;base64,".length()))));
        assertEquals(84, small.getWidth(), "28 px grows by a whole factor of 3");
        int[] big = new int[500 * 300];
        var large = javax.imageio.ImageIO.read(new ByteArrayInputStream(java.util.Base64.getDecoder().decode(
                Thumbnails.dataUri(new RgbImage(500, 300, big), 84).substring("data:image/png;base64,".length()))));
        assertEquals(84, large.getWidth());
        assertEquals(50, large.getHeight(), "aspect kept");
    }
}
