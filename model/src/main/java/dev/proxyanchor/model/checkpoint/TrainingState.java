package dev.proxyanchor.model.checkpoint;

import dev.proxyanchor.model.recipe.Recipe;

/**
 * What a checkpoint holds besides the network and its optimizer state: the recipe it was trained with, how many
 * epochs are complete, and the best Recall@1 so far (for choosing the {@code best/} checkpoint on resume).
 *
 * @param epochsCompleted the next epoch to train is this one (0-based)
 * @param bestRecallAt1   best evaluation Recall@1 so far, or -1 before the first evaluation
 * @param bestEpoch       the (0-based) epoch that reached it, or -1
 */
public record TrainingState(Recipe recipe, int epochsCompleted, double bestRecallAt1, int bestEpoch) {

    public static TrainingState start(Recipe recipe) {
        return new TrainingState(recipe, 0, -1.0, -1);
    }

    public TrainingState afterEpoch(int epoch, double recallAt1) {
        boolean better = !Double.isNaN(recallAt1) && recallAt1 > bestRecallAt1;
        return new TrainingState(recipe, epoch + 1, better ? recallAt1 : bestRecallAt1, better ? epoch : bestEpoch);
    }
}
