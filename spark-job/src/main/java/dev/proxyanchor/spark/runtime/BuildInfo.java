package dev.proxyanchor.spark.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The versions this build was made with, as Maven wrote them into {@code version.properties}: the tool's own, and
 * the Spark and Deeplearning4j it was compiled against.
 */
public record BuildInfo(String version, String spark, String dl4j) {

    /** The name outputs are stamped with. */
    public static final String TOOL = "proxyanchor-spark";
    private static final BuildInfo CURRENT = load();

    public static BuildInfo current() {
        return CURRENT;
    }

    /** {@code proxyanchor-spark 0.1.0} */
    public String toolAndVersion() {
        return TOOL + " " + version;
    }

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/dev/proxyanchor/spark/version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing from the build: rebuild with mvn "
                        + "package");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BuildInfo(p.getProperty("version"), p.getProperty("spark"), p.getProperty("dl4j"));
    }
}
