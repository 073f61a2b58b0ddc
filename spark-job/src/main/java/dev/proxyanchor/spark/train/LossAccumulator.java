package dev.proxyanchor.spark.train;

import dev.proxyanchor.spark.progress.LiveAccumulators;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * Collects, from every worker's every step, the training loss (DL4J's score less the weight-decay term it adds)
 * into Spark accumulators, so that the driver can report the mean training loss of an epoch as the official
 * code does. Travels to the executors inside the training master.
 */
final class LossAccumulator extends BaseTrainingListener implements java.io.Serializable {

    private final DoubleAccumulator lossSum;
    private final LongAccumulator steps;

    LossAccumulator(JavaSparkContext jsc) {
        this.lossSum = jsc.sc().doubleAccumulator("training loss");
        this.steps = jsc.sc().longAccumulator("training steps");
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        double regularization = model instanceof ComputationGraph graph ? graph.calcRegularizationScore(true) : 0.0;
        lossSum.add(model.score() - regularization);
        steps.add(1);
    }

    /** Mean loss since the last reset, NaN when no step ran. */
    double meanLoss() {
        long n = steps.value();
        return n == 0 ? Double.NaN : lossSum.value() / n;
    }

    long steps() {
        return steps.value();
    }

    /** The epoch's counts across the cluster while it trains, running tasks included. */
    EpochStart.StepCounters live(LiveAccumulators live, int workers) {
        live.watch(lossSum);
        live.watch(steps);
        return new EpochStart.StepCounters() {
            @Override
            public double steps() {
                return live.value(steps) / workers;
            }

            @Override
            public double meanLoss() {
                double n = live.value(steps);
                return n == 0 ? Double.NaN : live.value(lossSum) / n;
            }
        };
    }

    void reset() {
        lossSum.reset();
        steps.reset();
    }
}
