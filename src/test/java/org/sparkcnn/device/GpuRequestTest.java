package org.sparkcnn.device;

import org.junit.jupiter.api.Test;
import org.sparkcnn.common.BadInputException;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GpuRequestTest {
    private static GpuRequest of(Map<String, String> conf) {
        return GpuRequest.of(key -> Optional.ofNullable(conf.get(key)));
    }

    private static String refusal(Map<String, String> conf, boolean cuda) {
        return assertThrows(BadInputException.class, () -> of(conf).check(cuda)).getMessage();
    }

    @Test
    void noGpuSettingsIsTheCpuRunOfToday() {
        assertFalse(of(Map.of()).requested());
        assertDoesNotThrow(() -> of(Map.of()).check(false));
        assertDoesNotThrow(() -> of(Map.of(GpuRequest.EXECUTOR_AMOUNT, "0")).check(false));
    }

    @Test
    void gpusWithTheCpuJarAreRefusedNamingTheSettingAndTheCudaBuild() {
        String m = refusal(Map.of(GpuRequest.EXECUTOR_AMOUNT, "2", GpuRequest.TASK_AMOUNT, "1"), false);
        assertTrue(m.startsWith("spark.executor.resource.gpu.amount=2 asks for GPUs"), m);
        assertTrue(m.contains("mvn -Pcuda package"), m);
        assertTrue(refusal(Map.of(GpuRequest.TASK_AMOUNT, "1"), false).startsWith("spark.task.resource.gpu.amount=1"));
    }

    @Test
    void oneGpuPerTaskOrAShareOfOneIsAccepted() {
        assertDoesNotThrow(() -> of(Map.of(GpuRequest.EXECUTOR_AMOUNT, "4", GpuRequest.TASK_AMOUNT, "1")).check(true));
        assertDoesNotThrow(() -> of(Map.of(GpuRequest.EXECUTOR_AMOUNT, "1", GpuRequest.TASK_AMOUNT, "0.5")).check(true));
    }

    @Test
    void requestsThatCannotGiveEachTaskAGpuAreRefused() {
        assertTrue(refusal(Map.of(GpuRequest.EXECUTOR_AMOUNT, "2"), true).contains("spark.task.resource.gpu.amount=1"));
        assertTrue(refusal(Map.of(GpuRequest.TASK_AMOUNT, "1"), true).contains("needs spark.executor.resource.gpu.amount"));
        assertTrue(refusal(Map.of(GpuRequest.EXECUTOR_AMOUNT, "4", GpuRequest.TASK_AMOUNT, "2"), true)
                .contains("trains on one GPU"));
        assertTrue(refusal(Map.of(GpuRequest.EXECUTOR_AMOUNT, "two"), true).startsWith("spark.executor.resource.gpu.amount=two"));
    }
}
