package dev.proxyanchor.model.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.backbones.Backbones;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How --pretrained none|auto|FOLDER|FILE finds a weights file; nothing is downloaded. */
class PretrainedWeightsResolveTest {

    @TempDir
    Path home;

    private final Backbone bnInception = Backbones.create("bn_inception");

    @Test
    void noneMeansRandomInitialisation() {
        assertEquals(Optional.empty(), PretrainedWeights.resolve("none", bnInception, Map.of(), home));
        assertEquals(Optional.empty(), PretrainedWeights.resolve("NONE", bnInception, Map.of(), home));
    }

    @Test
    void autoLooksInTheProjectFolderThenInPyTorchsCache() throws IOException {
        Path torchCache = Files.createDirectories(home.resolve(".cache/torch/hub/checkpoints"));
        Path inTorchCache = Files.createFile(torchCache.resolve("bn_inception-52deb4733.pth"));
        assertEquals(Optional.of(inTorchCache), PretrainedWeights.resolve("auto", bnInception, Map.of(), home));

        Path ours = Files.createDirectories(home.resolve(".cache/proxyanchor/weights"));
        Path inOurs = Files.createFile(ours.resolve("bn_inception-52deb4733.pth"));
        assertEquals(Optional.of(inOurs), PretrainedWeights.resolve("auto", bnInception, Map.of(), home));

        Path custom = Files.createDirectories(home.resolve("elsewhere"));
        Path inCustom = Files.createFile(custom.resolve("resnet50-19c8e357.pth"));
        assertEquals(Optional.of(inCustom), PretrainedWeights.resolve("auto", Backbones.create("resnet50"),
                Map.of(PretrainedWeights.WEIGHTS_ENV, custom.toString()), home));
    }

    @Test
    void autoWithoutTheFileSaysWhatToDownloadAndWhere() {
        UserInputException e = assertThrows(UserInputException.class,
                () -> PretrainedWeights.resolve("auto", bnInception, Map.of(), home));
        String m = e.getMessage();
        assertTrue(m.contains("http://data.lip6.fr/cadene/pretrainedmodels/bn_inception-52deb4733.pth"), m);
        assertTrue(m.contains(home.resolve(".cache/proxyanchor/weights").toString()), m);
        assertTrue(m.contains(home.resolve(".cache/torch/hub/checkpoints").toString()), m);
        assertTrue(m.contains(PretrainedWeights.WEIGHTS_ENV) && m.contains("--pretrained none"), m);
    }

    @Test
    void aFolderIsSearchedForTheKnownNamesAndAFileIsTakenAsItIs() throws IOException {
        Path folder = Files.createDirectories(home.resolve("weights"));
        Path file = Files.createFile(folder.resolve("resnet18-f37072fd.pth"));
        assertEquals(Optional.of(file), PretrainedWeights.resolve(folder.toString(), Backbones.create("resnet18"),
                Map.of(), home));
        Path renamed = Files.createFile(home.resolve("my-resnet.pth"));
        assertEquals(Optional.of(renamed), PretrainedWeights.resolve(renamed.toString(), Backbones.create("resnet18"),
                Map.of(), home));
        UserInputException e = assertThrows(UserInputException.class, () -> PretrainedWeights.resolve(
                folder.toString(), Backbones.create("resnet101"), Map.of(), home));
        assertTrue(e.getMessage().contains("resnet101-63fe2227.pth"), e.getMessage());
    }

    /** Where the official code's model_zoo.load_url leaves torchvision's GoogLeNet weights. */
    @Test
    void autoFindsGooglenetInPyTorchsCacheAndOtherwiseNamesTorchvisionsUrl() throws IOException {
        Backbone googlenet = Backbones.create("googlenet");
        UserInputException e = assertThrows(UserInputException.class,
                () -> PretrainedWeights.resolve("auto", googlenet, Map.of(), home));
        assertTrue(e.getMessage().contains("https://download.pytorch.org/models/googlenet-1378be20.pth"),
                e.getMessage());
        Path torchCache = Files.createDirectories(home.resolve("torch/hub/checkpoints"));
        Path file = Files.createFile(torchCache.resolve("googlenet-1378be20.pth"));
        assertEquals(Optional.of(file), PretrainedWeights.resolve("auto", googlenet,
                Map.of("TORCH_HOME", home.resolve("torch").toString()), home));
    }

    @Test
    void aMissingPathIsRefused() {
        UserInputException e = assertThrows(UserInputException.class, () -> PretrainedWeights.resolve(
                home.resolve("nope.pth").toString(), bnInception, Map.of(), home));
        assertTrue(e.getMessage().contains("no such file or folder"), e.getMessage());
    }

    @Test
    void theSmallCnnHasNoPublishedWeights() {
        assertEquals(Optional.empty(), PretrainedWeights.resolve("auto", Backbones.create("small_cnn"), Map.of(), home));
    }

    @Test
    void searchFoldersFollowTheEnvironment() {
        assertEquals(List.of(Path.of("/w"), Path.of("/t/hub/checkpoints")), PretrainedWeights.searchFolders(
                Map.of(PretrainedWeights.WEIGHTS_ENV, "/w", "TORCH_HOME", "/t"), home));
        assertEquals(List.of(home.resolve(".cache/proxyanchor/weights"), Path.of("/x/torch/hub/checkpoints")),
                PretrainedWeights.searchFolders(Map.of("XDG_CACHE_HOME", "/x"), home));
    }
}
