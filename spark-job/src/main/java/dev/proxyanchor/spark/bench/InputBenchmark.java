package dev.proxyanchor.spark.bench;

import dev.proxyanchor.datasets.image.ImageDecoders;
import dev.proxyanchor.datasets.image.ImageTransform;
import dev.proxyanchor.datasets.image.RgbImage;
import dev.proxyanchor.model.backbones.InputSpec;
import dev.proxyanchor.spark.data.InputTransforms;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * {@code bench input}: how many images per second the input side turns into network tensors, on a fixed number of
 * threads: decode plus the training transform (random resized crop, flip, normalisation), decode plus the evaluation
 * transform, and decoding alone. The files are read into memory first, so the figures are decoding and arithmetic,
 * not the disk; each figure is the best of the repeats after one untimed warm-up pass. Its PyTorch counterpart,
 * {@code bench/torch_input.py}, does the same with PIL and torchvision.
 */
public final class InputBenchmark {

    /** @param files the encoded images, with their names for messages */
    public record Settings(List<Map.Entry<String, byte[]>> files, InputSpec spec, int threads, int repeats) {
    }

    private InputBenchmark() {
    }

    /** {@code images, threads, train_images_per_sec, eval_images_per_sec, decode_ms_per_image, jpeg_decoder}. */
    public static Map<String, Object> run(Settings s) throws Exception {
        ImageTransform train = InputTransforms.training(s.spec());
        ImageTransform eval = InputTransforms.evaluation(s.spec());
        int n = s.files().size();
        ExecutorService pool = Executors.newFixedThreadPool(s.threads(), runnable -> {
            Thread thread = new Thread(runnable, "bench-input");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Pass decodeOnly = (i, out) -> decode(s, i);
            Pass training = (i, out) -> train.apply(decode(s, i), new SplittableRandom(i), out, 0);
            Pass evaluation = (i, out) -> eval.apply(decode(s, i), new SplittableRandom(i), out, 0);
            int floats = Math.max(train.size(), eval.size());
            double bestTrain = 0;
            double bestEval = 0;
            double bestDecode = 0;
            for (int repeat = -1; repeat < s.repeats(); repeat++) {
                // Repeat -1 is the warm-up: the JIT compiles, OpenCV loads, nothing is counted.
                double trainRate = imagesPerSecond(pool, s.threads(), n, floats, training);
                double evalRate = imagesPerSecond(pool, s.threads(), n, floats, evaluation);
                double decodeRate = imagesPerSecond(pool, s.threads(), n, floats, decodeOnly);
                if (repeat >= 0) {
                    bestTrain = Math.max(bestTrain, trainRate);
                    bestEval = Math.max(bestEval, evalRate);
                    bestDecode = Math.max(bestDecode, decodeRate);
                }
            }
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("images", n);
            report.put("threads", s.threads());
            report.put("train_images_per_sec", bestTrain);
            report.put("eval_images_per_sec", bestEval);
            // One thread's time per image: the pass's wall time over the images each thread decoded.
            report.put("decode_ms_per_image", 1000.0 * s.threads() / bestDecode);
            report.put("jpeg_decoder", ImageDecoders.jpegDecoder());
            return report;
        } finally {
            pool.shutdownNow();
        }
    }

    private static RgbImage decode(Settings s, int i) {
        Map.Entry<String, byte[]> file = s.files().get(i);
        return ImageDecoders.decode(file.getValue(), file.getKey());
    }

    @FunctionalInterface
    private interface Pass {
        void process(int image, float[] out);
    }

    /** Images {@code 0..n-1} dealt round-robin to {@code threads} threads, each with its own output buffer. */
    private static double imagesPerSecond(ExecutorService pool, int threads, int n, int floats, Pass pass)
            throws Exception {
        long start = System.nanoTime();
        Future<?>[] running = new Future<?>[threads];
        for (int t = 0; t < threads; t++) {
            int first = t;
            running[t] = pool.submit(() -> {
                float[] out = new float[floats];
                IntConsumer one = i -> pass.process(i, out);
                for (int i = first; i < n; i += threads) {
                    one.accept(i);
                }
            });
        }
        for (Future<?> f : running) {
            f.get();
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }
}
