package dev.proxyanchor.spark.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report as a person sees it: Debian's headless Chromium opens the page from disk with the network closed to it
 * and takes a screenshot, which must show the charts' lines and the gallery's green and red borders.
 * {@code submit/setup-debian.sh} installs Chromium; without it the test is skipped.
 */
class ReportInBrowserIT {

    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    @TempDir
    Path dir;

    @Test
    void chromiumRendersChartsAndThumbnailsOffline() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is not installed: run submit/setup-debian.sh");
        Path page = dir.resolve("report.html");
        Files.writeString(page, ReportFixtures.page(dir.resolve("run"), "cub", "bn_inception", 512,
                Optional.of(ReportFixtures.gallery())));
        Path screenshot = dir.resolve("report.png");

        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("profile"),
                "--hide-scrollbars", "--window-size=1300,3400", "--screenshot=" + screenshot, page.toUri().toString()));
        Process chromium = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertTrue(chromium.waitFor(120, TimeUnit.SECONDS), "Chromium did not finish in 2 minutes");
        assertEquals(0, chromium.exitValue(), Files.readString(dir.resolve("chromium.log")));

        BufferedImage image = ImageIO.read(screenshot.toFile());
        assertEquals(1300, image.getWidth());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y) & 0xFFFFFF);
            }
        }
        assertTrue(colours.size() > 50, "a blank page: " + colours.size() + " colours");
        assertTrue(colours.contains(0x0072B2), "no chart line (the first series' colour)");
        assertTrue(colours.contains(0x1A9641), "no green border of a correct neighbour");
        assertTrue(colours.contains(0xD7191C), "no red border of a wrong neighbour");
        assertTrue(colours.contains(0x3050D0), "no thumbnail pixels (the third label's colour)");
    }
}
