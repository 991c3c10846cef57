package org.sparkcnn.device;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DeviceUsesTest {
    @Test
    void groupsTrainingPartitionsByExecutorAndDevice() {
        DeviceUses uses = new DeviceUses();
        uses.add(new TaskDeviceUse("2", "n2", 3, "cuda:1", "1", "A100"));
        uses.add(new TaskDeviceUse("1", "n1", 1, "cuda:0", "0", "A100"));
        uses.add(new TaskDeviceUse("2", "n2", 2, "cuda:0", "0", "A100"));
        uses.add(new TaskDeviceUse("1", "n1", 0, "cuda:0", "0", "A100"));
        uses.add(new TaskDeviceUse("1", "n1", 0, "cuda:0", "0", "A100"));
        assertEquals(List.of(
                new DeviceUse("1", "n1", "cuda:0", "0", "A100", List.of(0, 1)),
                new DeviceUse("2", "n2", "cuda:0", "0", "A100", List.of(2)),
                new DeviceUse("2", "n2", "cuda:1", "1", "A100", List.of(3))), uses.list());
        uses.clear();
        assertEquals(List.of(), uses.list());
    }
}
