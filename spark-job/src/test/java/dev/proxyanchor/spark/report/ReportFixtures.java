package dev.proxyanchor.spark.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.datasets.image.RgbImage;
import dev.proxyanchor.spark.io.EmbeddingMetadata;
import dev.proxyanchor.spark.io.EmbeddingParquet;
import dev.proxyanchor.spark.io.EmbeddingRecord;
import dev.proxyanchor.spark.io.EpochRecord;
import dev.proxyanchor.spark.io.RunDirectory;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** A run directory and an embed Parquet over real image files, as train and embed leave them, made by the tests. */
final class ReportFixtures {

    static final int EPOCHS = 4;
    static final int CLASSES = 4;
    static final int IMAGES_PER_CLASS = 10;

    private ReportFixtures() {
    }

    /**
     * A run of {@link #EPOCHS} epochs, evaluated (test and seen sets) after the second and the fourth; test R@1 is
     * best after the second (0-based epoch 1).
     */
    static Path run(Path dir, String dataset, String model, int embeddingSize) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(RunDirectory.CONFIG), """
                {"settings": {"dataset": "%s", "model": "%s", "embeddingSize": %d, "epochs": 6, "lr": 1.0E-4},
                 "dataset": {"name": "%s", "proxies": 100}, "versions": {"java": "17"}}
                """.formatted(dataset, model, embeddingSize, dataset));
        StringBuilder lines = new StringBuilder();
        for (int e = 0; e < EPOCHS; e++) {
            EpochRecord.Builder record = EpochRecord.builder(e).loss(10.0 / (e + 1))
                    .lr(new EpochRecord.LearningRates(1e-4 * Math.pow(0.5, e / 2), 1e-4, 1e-2)).training(6000, 20 + e);
            if (e % 2 == 1) {
                double r1 = e == 1 ? 0.70 : 0.68;
                record.eval(EpochRecord.fromJson(metrics(r1, 0.3 + e / 100.0), "fixture").eval())
                        .evalSeen(EpochRecord.fromJson(metrics(0.9, 0.6), "fixture").eval()).evalSeconds(12);
            }
            lines.append(record.build().toJson()).append('\n');
        }
        Files.writeString(dir.resolve(RunDirectory.METRICS), lines);
        return dir;
    }

    /** The page of a fixture run, as report writes it. */
    static String page(Path dir, String dataset, String model, int embeddingSize, Optional<Gallery> gallery)
            throws IOException {
        Path run = run(dir, dataset, model, embeddingSize);
        RunDirectory directory = RunDirectory.at(run.toString(), new Configuration());
        return ReportPage.render(new ReportPage.Contents(run.toString(),
                new ObjectMapper().readTree(directory.readText(RunDirectory.CONFIG)), directory.readEpochs(), gallery));
    }

    private static String metrics(double r1, double mapAtR) {
        return """
                {"epoch":0,"loss":1,"eval":{"queries":5000,"gallery":5000,"dim":64,"mode":"self",
                "recall":{"1":%s,"2":%s,"4":%s,"8":0.95},"map_at_r":%s,"r_precision":0.4,"queries_without_match":0,
                "seconds":1}}""".formatted(r1, r1 + 0.1, r1 + 0.15, mapAtR).replace("\n", "");
    }

    /**
     * A gallery of 12 queries with 8 neighbours each, the first 5 of the query's label and 3 of another, with
     * thumbnails made from small images of one colour per label.
     */
    static Gallery gallery() {
        int[] colours = {0xD04030, 0x30A050, 0x3050D0, 0xD0B030};
        List<Gallery.Query> queries = new ArrayList<>();
        for (int q = 0; q < 12; q++) {
            List<Gallery.Neighbour> neighbours = new ArrayList<>();
            for (int n = 0; n < 8; n++) {
                int label = n < 5 ? q % 3 : 3;
                neighbours.add(new Gallery.Neighbour(new Gallery.Item(100 + n, "n" + n + ".png", label,
                        thumbnail(colours[label])), 0.9 - n * 0.01, label == q % 3));
            }
            queries.add(new Gallery.Query(new Gallery.Item(q, "q" + q + ".png", q % 3, thumbnail(colours[q % 3])),
                    neighbours));
        }
        return new Gallery("e.parquet", queries);
    }

    private static String thumbnail(int rgb) {
        int[] pixels = new int[28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i % 7 == 0 ? 0xFFFFFF : rgb;
        }
        return Thumbnails.dataUri(new RgbImage(28, 28, pixels), GalleryBuilder.THUMBNAIL_SIDE);
    }

    /**
     * {@link #CLASSES} classes of {@link #IMAGES_PER_CLASS} PNG files (one hue per class, with noise) and their
     * embeddings: the class direction plus noise, so that most neighbours, but not all, share the query's label.
     */
    static String embeddings(SparkSession spark, Path dir) throws IOException {
        Random random = new Random(3);
        List<EmbeddingRecord> rows = new ArrayList<>();
        int[] hues = {0xD04030, 0x30A050, 0x3050D0, 0xD0B030};
        Files.createDirectories(dir.resolve("images"));
        for (int c = 0; c < CLASSES; c++) {
            for (int i = 0; i < IMAGES_PER_CLASS; i++) {
                BufferedImage image = new BufferedImage(60, 40, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 40; y++) {
                    for (int x = 0; x < 60; x++) {
                        image.setRGB(x, y, (x + y + i) % 9 == 0 ? 0xFFFFFF : hues[c]);
                    }
                }
                Path file = dir.resolve("images/c" + c + "_" + i + ".png");
                ImageIO.write(image, "png", file.toFile());
                float[] v = new float[CLASSES];
                for (int d = 0; d < CLASSES; d++) {
                    v[d] = (float) ((d == c ? 1 : 0) + random.nextGaussian() * 0.45);
                }
                rows.add(new EmbeddingRecord(rows.size(), file.toUri().toString(), c, "eval", v));
            }
        }
        String uri = dir.resolve("eval.parquet").toString();
        EmbeddingParquet.write(spark, JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 2),
                EmbeddingMetadata.of("small_cnn", CLASSES, dir.resolve("run/best").toString(), false), uri, false);
        return uri;
    }
}
