package org.sparkcnn.device;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Collects on the driver which device each training task used, as the executors report it (messages arrive
 * on Spark's RPC threads, hence synchronized).
 */
public final class DeviceUses {
    private record Key(String executorId, String host, String device, String gpuAddress, String description) {
    }

    private final Map<Key, TreeSet<Integer>> partitions = new HashMap<>();

    public synchronized void add(TaskDeviceUse use) {
        Key key = new Key(use.executorId(), use.host(), use.device(), use.gpuAddress(), use.description());
        partitions.compute(key, (k, set) -> {
            TreeSet<Integer> s = set == null ? new TreeSet<>() : set;
            s.add(use.partition());
            return s;
        });
    }

    public synchronized void clear() {
        partitions.clear();
    }

    /** By executor id, then device. */
    public synchronized List<DeviceUse> list() {
        List<DeviceUse> uses = new ArrayList<>();
        partitions.forEach((k, p) -> uses.add(new DeviceUse(k.executorId(), k.host(), k.device(), k.gpuAddress(),
                k.description(), new ArrayList<>(p))));
        uses.sort(Comparator.comparing(DeviceUse::executorId).thenComparing(DeviceUse::device)
                .thenComparing(u -> Objects.toString(u.gpuAddress(), "")));
        return uses;
    }
}
