package dev.proxyanchor.spark.cluster;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder.EndpointConfiguration;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import java.io.IOException;
import java.io.Writer;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * An S3 endpoint on 127.0.0.1: S3Proxy with its in-memory ({@code transient}) store, checking AWS v2/v4 signatures
 * against one random key pair. It runs as a child JVM from its own fat jar, because its Jetty 11 and Spark's Jetty 9
 * cannot share a class path.
 */
final class LocalS3 implements AutoCloseable {

    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final Path log;
    private final Process process;

    LocalS3(Path jar, Path dir) throws Exception {
        SecureRandom random = new SecureRandom();
        this.port = StandaloneCluster.freePort();
        this.accessKey = "AKIA" + randomString(random, 16).toUpperCase(java.util.Locale.ROOT);
        this.secretKey = randomString(random, 40);
        Properties conf = new Properties();
        conf.setProperty("s3proxy.endpoint", endpoint());
        conf.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        conf.setProperty("s3proxy.identity", accessKey);
        conf.setProperty("s3proxy.credential", secretKey);
        conf.setProperty("jclouds.provider", "transient");
        conf.setProperty("jclouds.identity", "unused");
        conf.setProperty("jclouds.credential", "unused");
        Path confFile = dir.resolve("s3proxy.conf");
        try (Writer out = Files.newBufferedWriter(confFile)) {
            conf.store(out, null);
        }
        this.log = dir.resolve("s3proxy.log");
        this.process = new ProcessBuilder(List.of(StandaloneCluster.javaBinary(), "-Xmx512m", "-jar", jar.toString(),
                "--properties", confFile.toString())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        waitUntilListening(60);
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    String accessKey() {
        return accessKey;
    }

    String secretKey() {
        return secretKey;
    }

    /** The S3A settings that point at this endpoint; credentials are not among them. */
    Map<String, String> s3aEndpointSettings() {
        return Map.of("fs.s3a.endpoint", endpoint(),
                "fs.s3a.path.style.access", "true",
                "fs.s3a.connection.ssl.enabled", "false");
    }

    /** S3A cannot create buckets: this uses the AWS SDK that hadoop-aws brings. */
    void createBucket(String name) {
        AmazonS3 s3 = AmazonS3ClientBuilder.standard()
                .withEndpointConfiguration(new EndpointConfiguration(endpoint(), "us-east-1"))
                .withPathStyleAccessEnabled(true)
                .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials(accessKey, secretKey)))
                .build();
        try {
            s3.createBucket(name);
        } finally {
            s3.shutdown();
        }
    }

    private void waitUntilListening(int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("S3Proxy did not listen on " + port + " within " + seconds + " s (alive: "
                + process.isAlive() + "); its log " + log + ":\n" + Files.readString(log));
    }

    private static String randomString(SecureRandom random, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
        }
        return s.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
