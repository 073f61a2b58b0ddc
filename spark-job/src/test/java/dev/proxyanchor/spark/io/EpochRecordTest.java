package dev.proxyanchor.spark.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.model.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metrics.jsonl lines: the format runs wrote before the typed record, and the record's own round trip. */
class EpochRecordTest {

    /** Two lines exactly as train wrote them before EpochRecord existed (an evaluated and a plain epoch). */
    static final String BEFORE_THE_RECORD = """
            {"epoch":0,"loss":8.25,"lr":{"backbone":0.001,"embedding":0.001,"proxies":0.1},"images_per_sec":1480.5,\
            "train_seconds":20.3}
            {"epoch":1,"loss":7.5,"lr":{"backbone":0.001,"embedding":0.001,"proxies":0.1},"images_per_sec":1500.0,\
            "train_seconds":20.0,"eval":{"queries":5000,"gallery":5000,"dim":64,"mode":"self",\
            "recall":{"1":0.61,"2":0.72,"4":0.8,"8":0.86,"16":0.9,"32":0.93},"map_at_r":0.21,"r_precision":0.3,\
            "queries_without_match":0,"seconds":4.5},"eval_seen":{"queries":5000,"gallery":5000,"dim":64,\
            "mode":"self","recall":{"1":0.9,"2":0.94,"4":0.96,"8":0.97,"16":0.98,"32":0.99},"map_at_r":0.6,\
            "r_precision":0.65,"queries_without_match":0,"seconds":4.4}}
            """;

    @Test
    void linesWrittenBeforeTheRecordReadBack(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(RunDirectory.METRICS), BEFORE_THE_RECORD);
        List<EpochRecord> epochs = RunDirectory.at(dir.toString(), new Configuration()).readEpochs();

        assertEquals(2, epochs.size());
        EpochRecord plain = epochs.get(0);
        assertEquals(0, plain.epoch());
        assertEquals(8.25, plain.loss());
        assertEquals(0.1, plain.lr().proxies());
        assertFalse(plain.evaluated());
        assertNull(plain.evalSeconds());
        assertTrue(Double.isNaN(plain.selectionRecallAt1()));

        EpochRecord evaluated = epochs.get(1);
        assertEquals(0.61, evaluated.selectionRecallAt1());
        assertEquals(List.of("eval", "eval_seen"), List.copyOf(evaluated.evaluations().keySet()));
        assertEquals(0.99, evaluated.evalSeen().recall().get(32));
        assertEquals("self", evaluated.eval().mode());
        assertEquals(1500.0, evaluated.imagesPerSec());
    }

    @Test
    void aRecordWritesTheSameKeysAndReadsBackEqual() throws Exception {
        String old = BEFORE_THE_RECORD.lines().toList().get(1);
        EpochRecord record = EpochRecord.fromJson(old, "test");
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree(old), json.readTree(record.toJson()), "keys or values changed on rewriting");

        EpochRecord timed = new EpochRecord(record.epoch(), record.loss(), record.lr(), record.imagesPerSec(),
                record.trainSeconds(), record.eval(), null, null, 12.5, null, 1450.0, 3);
        JsonNode written = json.readTree(timed.toJson());
        assertEquals(12.5, written.get("eval_seconds").asDouble());
        assertEquals(1450.0, written.get("input_capacity_images_per_sec").asDouble());
        assertEquals(3, written.get("bad_images").asInt());
        assertFalse(written.has("eval_seen"), "absent sets are left out, not written as null");
        assertEquals(timed.toJson(), EpochRecord.fromJson(timed.toJson(), "test").toJson());
    }

    @Test
    void aLossWithoutProxiesWritesNoProxiesRate() throws Exception {
        EpochRecord record = EpochRecord.builder(0).loss(1).lr(new EpochRecord.LearningRates(1e-4, 1e-4, null))
                .training(100, 2).build();
        JsonNode lr = new ObjectMapper().readTree(record.toJson()).get("lr");
        assertEquals(2, lr.size(), lr.toString());
        assertNull(EpochRecord.fromJson(record.toJson(), "test").lr().proxies());
    }

    @Test
    void theValidationSetChoosesBestWhenPresentAndIsListedWithTheOtherSets() {
        String evaluated = BEFORE_THE_RECORD.lines().toList().get(1);
        String withVal = evaluated.substring(0, evaluated.length() - 1) + ",\"val\":{\"queries\":600,"
                + "\"gallery\":600,\"dim\":64,\"mode\":\"self\",\"recall\":{\"1\":0.42,\"2\":0.55},"
                + "\"map_at_r\":0.12,\"r_precision\":0.2,\"queries_without_match\":0,\"seconds\":0.5}}";
        EpochRecord record = EpochRecord.fromJson(withVal, "test");

        assertEquals(0.42, record.selectionRecallAt1(), "val R@1, not the test set's 0.61");
        assertEquals("val", record.selectionSet());
        assertEquals(List.of("eval", "eval_seen", "val"), List.copyOf(record.evaluations().keySet()));
        assertEquals(0.55, EpochRecord.fromJson(record.toJson(), "test").val().recall().get(2));

        EpochRecord withoutVal = EpochRecord.fromJson(evaluated, "test");
        assertEquals("eval", withoutVal.selectionSet());
        assertNull(withoutVal.val());
    }

    @Test
    void keysFromANewerVersionAreIgnored() {
        EpochRecord record = EpochRecord.fromJson("{\"epoch\":3,\"loss\":1.5,\"images_per_sec\":10,"
                + "\"train_seconds\":2,\"something_new\":{\"a\":1}}", "test");
        assertEquals(3, record.epoch());
    }

    @Test
    void aBrokenLineNamesTheFileAndLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(RunDirectory.METRICS), "{\"epoch\":0,\"loss\":1}\n{\"epoch\":\n");
        RunDirectory run = RunDirectory.at(dir.toString(), new Configuration());
        UserInputException e = assertThrows(UserInputException.class, run::readEpochs);
        assertTrue(e.getMessage().contains("metrics.jsonl line 2"), e.getMessage());
    }

    @Test
    void aRunWithoutMetricsHasNoEpochs(@TempDir Path dir) throws Exception {
        assertEquals(List.of(), RunDirectory.at(dir.resolve("new").toString(), new Configuration()).readEpochs());
    }
}
