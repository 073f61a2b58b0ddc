package dev.proxyanchor.datasets.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomResizedCropTest {

    @Test
    void cropsCoverAShareAndAspectRatioInTorchvisionsRanges() {
        int width = 500;
        int height = 375;
        SplittableRandom random = new SplittableRandom(7);
        double minShare = 1;
        double maxShare = 0;
        double sumShare = 0;
        int draws = 20000;
        for (int i = 0; i < draws; i++) {
            CropBox box = RandomResizedCrop.sample(width, height, random);
            assertTrue(box.left() >= 0 && box.top() >= 0 && box.left() + box.width() <= width
                    && box.top() + box.height() <= height, box.toString());
            double share = (double) box.width() * box.height() / (width * height);
            // Sides are rounded to whole pixels: allow one pixel of slack on each.
            double ratioSlack = 1.0 / box.height() + (double) box.width() / box.height() / box.height();
            double ratio = (double) box.width() / box.height();
            assertTrue(ratio >= 0.75 - ratioSlack && ratio <= 4.0 / 3 + ratioSlack, "ratio " + ratio + " " + box);
            assertTrue(share >= 0.08 * 0.97 && share <= 1.0, "share " + share + " " + box);
            minShare = Math.min(minShare, share);
            maxShare = Math.max(maxShare, share);
            sumShare += share;
        }
        assertTrue(minShare < 0.09, "smallest share " + minShare);
        assertTrue(maxShare > 0.7, "largest share " + maxShare);
        // Large areas are rejected more often when they do not fit, so the mean is below 0.54 but well above 0.3.
        double mean = sumShare / draws;
        assertTrue(mean > 0.3 && mean < 0.54, "mean share " + mean);
    }

    @Test
    void imagesNoTryFitsFallBackToACentreCropAtTheRatioLimit() {
        // 1000x10: even the smallest area (800 px) needs a height of 24 at ratio 4/3, so all ten tries fail.
        CropBox box = RandomResizedCrop.sample(1000, 10, new SplittableRandom(1));
        assertEquals(new CropBox(493, 0, 13, 10), box);
        CropBox tall = RandomResizedCrop.sample(10, 1000, new SplittableRandom(1));
        assertEquals(new CropBox(0, 493, 10, 13), tall);
    }
}
