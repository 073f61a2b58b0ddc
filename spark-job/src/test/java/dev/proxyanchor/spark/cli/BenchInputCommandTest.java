package dev.proxyanchor.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench input} through the entry point: the JSON report the issue names, with its five figures. */
class BenchInputCommandTest {

    @Test
    void timesTheTransformsAndWritesTheReport(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        for (int i = 0; i < 6; i++) {
            BufferedImage image = new BufferedImage(60 + 10 * i, 45 + 5 * i, BufferedImage.TYPE_INT_RGB);
            image.setRGB(3, 4, 0xFF8000);
            ImageIO.write(image, i % 2 == 0 ? "jpg" : "png", images.resolve(i + (i % 2 == 0 ? ".jpg" : ".png"))
                    .toFile());
        }
        Files.writeString(images.resolve("notes.txt"), "not an image: left out");
        Path report = dir.resolve("input.json");
        assertEquals(0, Main.run("bench", "input", "--images", images.toString(), "--model", "resnet50",
                "--threads", "2", "--repeats", "1", "--output", report.toString()));

        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertEquals(List.of("images", "threads", "train_images_per_sec", "eval_images_per_sec",
                "decode_ms_per_image", "jpeg_decoder"), iterable(json));
        assertTrue(json.get("jpeg_decoder").asText().contains("libjpeg-turbo")
                || json.get("jpeg_decoder").asText().startsWith("libturbojpeg ("), json.toString());
        assertEquals(6, json.get("images").asInt());
        assertEquals(2, json.get("threads").asInt());
        for (String positive : new String[] {"train_images_per_sec", "eval_images_per_sec", "decode_ms_per_image"}) {
            assertTrue(json.get(positive).asDouble() > 0, positive + " in " + json);
        }
    }

    @Test
    void aFolderWithoutImagesIsAUserError(@TempDir Path dir) {
        assertNotEquals(0, Main.run("bench", "input", "--images", dir.toString()));
    }

    private static List<String> iterable(JsonNode json) {
        List<String> names = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
