package org.sparkcnn.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class SubnormalFlushTest {

    @Test
    void subnormalValuesBecomeZeroAndEveryOtherValueIsKept() {
        float smallestNormal = Float.MIN_NORMAL;
        INDArray values = Nd4j.createFromArray(1e-39f, -3e-42f, Float.MIN_VALUE, smallestNormal, -smallestNormal,
                1e-30f, 0.5f, -2f, 0f);
        SubnormalFlush.flush(values);
        assertArrayEquals(new float[] {0f, 0f, 0f, smallestNormal, -smallestNormal, 1e-30f, 0.5f, -2f, 0f},
                values.toFloatVector());
    }
}
