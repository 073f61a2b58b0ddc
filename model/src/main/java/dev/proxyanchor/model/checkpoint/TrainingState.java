package dev.proxyanchor.model.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.proxyanchor.model.recipe.Recipe;

/**
 * What a checkpoint holds besides the network and its optimizer state: the recipe it was trained with, how many
 * epochs are complete, the best Recall@1 so far (for choosing the {@code best/} checkpoint on resume) and, for a run
 * with a validation split, which classes it trained on.
 *
 * @param epochsCompleted the next epoch to train is this one (0-based)
 * @param bestRecallAt1   best Recall@1 so far of the set that chooses {@code best/} (the validation set with a
 *                        validation split, else the evaluation set), or -1 before the first evaluation
 * @param bestEpoch       the (0-based) epoch that reached it, or -1
 * @param validationSplit the classes held out for validation and the dataset class of each training label, or null
 *                        when the run trained on every training class
 */
public record TrainingState(Recipe recipe, int epochsCompleted, double bestRecallAt1, int bestEpoch,
                            @JsonInclude(JsonInclude.Include.NON_NULL) ValidationSplit validationSplit) {

    public TrainingState {
        if (validationSplit != null && validationSplit.trainedClasses().size() != recipe.numClasses()) {
            throw new IllegalArgumentException("the recipe trains " + recipe.numClasses() + " classes but the "
                    + "validation split trains on " + validationSplit.trainedClasses());
        }
    }

    public static TrainingState start(Recipe recipe) {
        return start(recipe, null);
    }

    /** @param validationSplit the run's validation split, or null */
    public static TrainingState start(Recipe recipe, ValidationSplit validationSplit) {
        return new TrainingState(recipe, 0, -1.0, -1, validationSplit);
    }

    public TrainingState afterEpoch(int epoch, double recallAt1) {
        boolean better = !Double.isNaN(recallAt1) && recallAt1 > bestRecallAt1;
        return new TrainingState(recipe, epoch + 1, better ? recallAt1 : bestRecallAt1, better ? epoch : bestEpoch,
                validationSplit);
    }
}
