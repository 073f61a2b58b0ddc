package dev.proxyanchor.spark.io;

import dev.proxyanchor.model.UserInputException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Parquet layout {@code embed} writes and {@code evaluate} reads: columns {@code id} long, {@code path}
 * string, {@code label} int, {@code role} string, {@code embedding} array&lt;float&gt; carrying the
 * {@link EmbeddingMetadata}. Any Hadoop URI.
 */
public final class EmbeddingParquet {

    public static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("id", DataTypes.LongType, false),
        DataTypes.createStructField("path", DataTypes.StringType, true),
        DataTypes.createStructField("label", DataTypes.IntegerType, false),
        DataTypes.createStructField("role", DataTypes.StringType, true),
        DataTypes.createStructField("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false),
    });

    private EmbeddingParquet() {
    }

    /** Writes the records; an existing {@code uri} is replaced only with {@code overwrite}. */
    public static void write(SparkSession spark, JavaRDD<EmbeddingRecord> records, EmbeddingMetadata metadata,
                             String uri, boolean overwrite) {
        requireWritable(spark, uri, overwrite);
        JavaRDD<Row> rows = records.map(r -> RowFactory.create(r.id(), r.path(), r.label(), r.role(),
                r.embedding()));
        StructField[] fields = SCHEMA.fields().clone();
        int embedding = SCHEMA.fieldIndex("embedding");
        fields[embedding] = fields[embedding].copy(fields[embedding].name(), fields[embedding].dataType(),
                fields[embedding].nullable(), metadata.toSpark());
        spark.createDataFrame(rows, new StructType(fields)).write()
                .mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(uri);
    }

    /** What embed recorded about the vectors of {@code uri}; empty for files written otherwise. */
    public static Optional<EmbeddingMetadata> metadata(SparkSession spark, String uri) {
        StructType schema = spark.read().parquet(uri).schema();
        return Arrays.asList(schema.fieldNames()).contains("embedding")
                ? EmbeddingMetadata.fromSpark(schema.apply("embedding").metadata()) : Optional.empty();
    }

    private static void requireWritable(SparkSession spark, String uri, boolean overwrite) {
        Path path = new Path(uri);
        try {
            if (!overwrite && path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path)) {
                throw new UserInputException(uri + " already exists; choose another output or allow overwriting");
            }
        } catch (IOException e) {
            throw new UserInputException("cannot check the output " + uri + ": " + e.getMessage(), e);
        }
    }

    /** Reads a file written by {@link #write} (extra columns are ignored; missing or mistyped ones are errors). */
    public static JavaRDD<EmbeddingRecord> read(SparkSession spark, String uri) {
        Dataset<Row> frame = spark.read().parquet(uri);
        requireColumns(frame.schema(), uri);
        boolean hasPath = Arrays.asList(frame.columns()).contains("path");
        boolean hasRole = Arrays.asList(frame.columns()).contains("role");
        return frame.javaRDD().map(row -> toRecord(row, hasPath, hasRole, uri));
    }

    private static void requireColumns(StructType schema, String uri) {
        requireColumn(schema, "id", uri, DataTypes.LongType, DataTypes.IntegerType);
        requireColumn(schema, "label", uri, DataTypes.IntegerType, DataTypes.LongType, DataTypes.ShortType);
        requireColumn(schema, "embedding", uri, DataTypes.createArrayType(DataTypes.FloatType, false),
                DataTypes.createArrayType(DataTypes.FloatType, true),
                DataTypes.createArrayType(DataTypes.DoubleType, false),
                DataTypes.createArrayType(DataTypes.DoubleType, true));
    }

    private static void requireColumn(StructType schema, String name, String uri, DataType... accepted) {
        List<String> names = Arrays.asList(schema.fieldNames());
        if (!names.contains(name)) {
            throw new UserInputException(uri + " has no column '" + name + "' (columns: " + names + "); expected "
                    + "the embed layout: id long, path string, label int, role string, embedding array<float>");
        }
        DataType actual = schema.apply(name).dataType();
        if (!Arrays.asList(accepted).contains(actual)) {
            throw new UserInputException("column '" + name + "' of " + uri + " is " + actual.simpleString()
                    + ", expected " + accepted[0].simpleString());
        }
    }

    private static EmbeddingRecord toRecord(Row row, boolean hasPath, boolean hasRole, String uri) {
        Object id = row.getAs("id");
        Object label = row.getAs("label");
        List<Object> values = row.getList(row.fieldIndex("embedding"));
        String where = "the row with id " + id + " of " + uri;
        if (id == null) {
            throw new UserInputException("a row of " + uri + " has no id; every row needs one");
        }
        if (label == null) {
            throw new UserInputException(where + " has no label; every row needs an integer label");
        }
        if (values == null) {
            throw new UserInputException(where + " has no embedding");
        }
        float[] embedding = new float[values.size()];
        for (int i = 0; i < embedding.length; i++) {
            Object v = values.get(i);
            if (v == null) {
                throw new UserInputException(where + " has a null in embedding column " + (i + 1));
            }
            embedding[i] = ((Number) v).floatValue();
        }
        VectorChecks.requireFinite(embedding, where);
        long labelValue = ((Number) label).longValue();
        if (labelValue != (int) labelValue) {
            throw new UserInputException(where + " has the label " + labelValue + ", outside the int range");
        }
        return new EmbeddingRecord(((Number) id).longValue(), hasPath ? row.getAs("path") : null, (int) labelValue,
                hasRole ? row.getAs("role") : null, embedding);
    }
}
