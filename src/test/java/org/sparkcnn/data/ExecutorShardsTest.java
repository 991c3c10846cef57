package org.sparkcnn.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ExecutorShardsTest {
    @Test
    void rangesCoverEverythingOnceAndDifferByAtMostOne() {
        List<ExecutorShards.Range> ranges = ExecutorShards.split(10, 3);
        assertEquals(List.of(new ExecutorShards.Range(0, 4), new ExecutorShards.Range(4, 3),
                new ExecutorShards.Range(7, 3)), ranges);
        assertEquals(2, ExecutorShards.split(2, 8).size(), "never an empty shard");
        assertEquals(List.of(), ExecutorShards.split(0, 4));
        assertEquals(60_000, ExecutorShards.split(60_000, 7).stream().mapToInt(ExecutorShards.Range::count).sum());
    }
}
