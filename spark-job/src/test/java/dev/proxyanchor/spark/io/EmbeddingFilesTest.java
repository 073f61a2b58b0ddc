package dev.proxyanchor.spark.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.spark.SparkTestSessions;
import dev.proxyanchor.spark.UserErrors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingFilesTest {

    private static SparkSession spark;
    private static JavaSparkContext jsc;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = SparkTestSessions.localTwo("EmbeddingFilesTest");
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static List<EmbeddingRecord> sorted(List<EmbeddingRecord> rows) {
        return rows.stream().sorted(Comparator.comparingLong(EmbeddingRecord::id)).toList();
    }

    private static void assertRecord(long id, String path, int label, String role, float[] v, EmbeddingRecord r) {
        assertEquals(id, r.id());
        assertEquals(path, r.path());
        assertEquals(label, r.label());
        assertEquals(role, r.role());
        assertArrayEquals(v, r.embedding());
    }

    @Test
    void parquetInTheEmbedLayoutRoundTrips() {
        List<EmbeddingRecord> written = List.of(
                new EmbeddingRecord(3, "img/a.jpg", 7, "query", new float[] {0.5f, -1.25f, 3e-8f}),
                new EmbeddingRecord(1, null, 2, null, new float[] {1, 2, 3}),
                new EmbeddingRecord(2, "img/b.jpg", 7, "gallery", new float[] {-0f, Float.MIN_VALUE, 1e30f}));
        String uri = dir.resolve("embeddings.parquet").toUri().toString();

        EmbeddingMetadata metadata = EmbeddingMetadata.of("resnet50", 3, "hdfs://nn/runs/cub/best", true);
        EmbeddingParquet.write(spark, jsc.parallelize(written, 2), metadata, uri, false);
        List<EmbeddingRecord> read = sorted(EmbeddingFiles.read(spark, uri, null).collect());
        assertEquals(Optional.of(metadata), EmbeddingFiles.metadata(spark, uri));
        assertEquals("proxyanchor-spark", metadata.tool());
        assertTrue(metadata.toolVersion().matches("\\d+\\.\\d+.*"), metadata.toolVersion());

        assertEquals(3, read.size());
        assertRecord(1, null, 2, null, new float[] {1, 2, 3}, read.get(0));
        assertRecord(2, "img/b.jpg", 7, "gallery", new float[] {-0f, Float.MIN_VALUE, 1e30f}, read.get(1));
        assertRecord(3, "img/a.jpg", 7, "query", new float[] {0.5f, -1.25f, 3e-8f}, read.get(2));
        assertEquals("struct<id:bigint,path:string,label:int,role:string,embedding:array<float>>",
                spark.read().parquet(uri).schema().simpleString());
        String exists = UserErrors.messageOf(() -> EmbeddingParquet.write(spark, jsc.parallelize(written, 1), metadata,
                uri, false));
        assertTrue(exists.contains("already exists"), exists);
    }

    @Test
    void csvWithoutHeaderHasTheLabelFirstAndLineNumbersAsIds() throws IOException {
        Path csv = dir.resolve("e.csv");
        Files.writeString(csv, "3,0.5,-1\n4,2.5e-3,7\n\n3,1,1\n");

        List<EmbeddingRecord> read = sorted(EmbeddingFiles.read(spark, csv.toString(), null).collect());

        assertEquals(3, read.size());
        assertRecord(1, null, 3, null, new float[] {0.5f, -1}, read.get(0));
        assertRecord(2, null, 4, null, new float[] {2.5e-3f, 7}, read.get(1));
        assertRecord(4, null, 3, null, new float[] {1, 1}, read.get(2));
    }

    @Test
    void csvWithHeaderNamesLabelRoleIdAndVectorColumns() throws IOException {
        Path csv = dir.resolve("h.csv");
        Files.writeString(csv, "x1,Label,role,x2,id\n0.5,3,Query,1.5,10\n-2,4,gallery,0,11\n");

        List<EmbeddingRecord> read = sorted(EmbeddingFiles.read(spark, csv.toUri().toString(), null).collect());

        assertRecord(10, null, 3, "query", new float[] {0.5f, 1.5f}, read.get(0));
        assertRecord(11, null, 4, "gallery", new float[] {-2, 0}, read.get(1));
    }

    @Test
    void npyMatricesWithLabelsRoundTripInEveryFloatLayout() throws IOException {
        float[][] rows = {{1, 2, 3}, {-0.5f, 0.25f, 1e-7f}};
        Path labels = dir.resolve("labels.npy");
        NpyWriter.write(labels, "<i8", "(2,)", NpyWriter.longs(5, -1), false);
        Path f32 = dir.resolve("f32.npy");
        NpyWriter.write(f32, "<f4", "(2, 3)", NpyWriter.floats32(ByteOrder.LITTLE_ENDIAN, rows), false);
        Path f32be = dir.resolve("f32be.npy");
        NpyWriter.write(f32be, ">f4", "(2, 3)", NpyWriter.floats32(ByteOrder.BIG_ENDIAN, rows), false);
        Path f64 = dir.resolve("f64.npy");
        NpyWriter.write(f64, "<f8", "(2, 3)", NpyWriter.floats64(rows), false);

        for (Path matrix : List.of(f32, f32be, f64)) {
            List<EmbeddingRecord> read = sorted(EmbeddingFiles.read(spark, matrix.toString(), labels.toString())
                    .collect());
            assertRecord(0, null, 5, null, rows[0], read.get(0));
            assertRecord(1, null, -1, null, rows[1], read.get(1));
        }
    }

    @Test
    void badFilesAreReportedWithFileRowAndProblem() throws IOException {
        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "1,0.5,1\n2,0.5\n");
        String m = UserErrors.messageOf(() -> EmbeddingFiles.read(spark, ragged.toString(), null).collect());
        assertTrue(m.contains("line 2 of") && m.contains("ragged.csv") && m.contains("has 2 columns, expected 3"),
                m);

        Path nan = dir.resolve("nan.csv");
        Files.writeString(nan, "1,0.5,1\n2,NaN,1\n");
        m = UserErrors.messageOf(() -> EmbeddingFiles.read(spark, nan.toString(), null).collect());
        assertTrue(m.contains("line 2 of") && m.contains("NaN") && m.contains("embedding column 1"), m);

        Path badLabel = dir.resolve("label.csv");
        Files.writeString(badLabel, "1,0.5,1\n2.5,1,1\n");
        m = UserErrors.messageOf(() -> EmbeddingFiles.read(spark, badLabel.toString(), null).collect());
        assertTrue(m.contains("line 2 of") && m.contains("label '2.5'") && m.contains("integers"), m);

        Path noLabel = dir.resolve("nolabel.csv");
        Files.writeString(noLabel, "x1,x2\n1,2\n");
        m = UserErrors.messageOf(() -> EmbeddingFiles.read(spark, noLabel.toString(), null).collect());
        assertTrue(m.contains("no 'label' column"), m);

        Path matrix = dir.resolve("m.npy");
        NpyWriter.write(matrix, "<f4", "(2, 1)", NpyWriter.floats32(ByteOrder.LITTLE_ENDIAN,
                new float[][] {{1}, {2}}), false);
        m = UserErrors.messageOf(() -> EmbeddingFiles.read(spark, matrix.toString(), null));
        assertTrue(m.contains("m.npy") && m.contains("labels"), m);

        Path floatLabels = dir.resolve("fl.npy");
        NpyWriter.write(floatLabels, "<f4", "(2,)", NpyWriter.floats32(ByteOrder.LITTLE_ENDIAN,
                new float[][] {{1, 2}}), false);
        m = UserErrors.messageOf(() -> EmbeddingFiles.read(spark, matrix.toString(), floatLabels.toString()));
        assertTrue(m.contains("fl.npy") && m.contains("integer"), m);

        Path threeLabels = dir.resolve("three.npy");
        NpyWriter.write(threeLabels, "<i8", "(3,)", NpyWriter.longs(1, 2, 3), false);
        m = UserErrors.messageOf(() -> EmbeddingFiles.read(spark, matrix.toString(), threeLabels.toString()));
        assertTrue(m.contains("3 labels") && m.contains("2 rows"), m);

        Path fortran = dir.resolve("fortran.npy");
        NpyWriter.write(fortran, "<f4", "(2, 1)", NpyWriter.floats32(ByteOrder.LITTLE_ENDIAN,
                new float[][] {{1}, {2}}), true);
        m = UserErrors.messageOf(() -> EmbeddingFiles.read(spark, fortran.toString(), threeLabels.toString()));
        assertTrue(m.contains("Fortran order"), m);

        Path truncated = dir.resolve("truncated.npy");
        NpyWriter.write(truncated, "<f4", "(4, 1)", NpyWriter.floats32(ByteOrder.LITTLE_ENDIAN,
                new float[][] {{1}, {2}}), false);
        m = UserErrors.messageOf(() -> EmbeddingFiles.read(spark, truncated.toString(), threeLabels.toString()));
        assertTrue(m.contains("truncated"), m);

        Path unknown = dir.resolve("e.bin");
        Files.write(unknown, new byte[] {1});
        m = UserErrors.messageOf(() -> EmbeddingFiles.read(spark, unknown.toString(), null));
        assertTrue(m.contains("cannot tell the format"), m);
    }

    @Test
    void theNpyHeaderParserIsStrict() {
        NpyHeader h = NpyHeader.parse("{'descr': '<f4', 'fortran_order': False, 'shape': (60502, 512), }", 128,
                "x.npy");
        assertEquals('f', h.kind());
        assertEquals(4, h.itemBytes());
        assertArrayEquals(new long[] {60502, 512}, h.shape());
        assertEquals(ByteOrder.LITTLE_ENDIAN, h.byteOrder());
        assertEquals(128, h.dataOffset());

        String m = UserErrors.messageOf(() -> NpyHeader.parse(
                "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 2), }", 128, "c.npy"));
        assertTrue(m.contains("c.npy") && m.contains("c8"), m);
        m = UserErrors.messageOf(() -> NpyHeader.read(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5,
                6, 7, 8, 9, 10}), 10, "junk.npy"));
        assertTrue(m.contains("junk.npy") && m.contains("not a NumPy"), m);
    }
}
