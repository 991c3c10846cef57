package org.sparkcnn.ml;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLWritable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * MLlib's DefaultReadWriteTest for Java stages: saves a stage (Estimator or Model), loads it back through its
 * class's static {@code load} (as PipelineModel.load does), and asserts the same class and uid and every
 * param equal: set or not, its value, its default.
 */
final class MlReadWriteTest {
    private MlReadWriteTest() {
    }

    /** @return the loaded copy, for a stage-specific check (a model's predictions) */
    @SuppressWarnings("unchecked")
    static <T extends Params & MLWritable> T testReadWrite(T stage, Path dir) {
        String path = dir.resolve(stage.uid()).toString();
        try {
            stage.write().save(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        T loaded;
        try {
            loaded = (T) stage.getClass().getMethod("load", String.class).invoke(null, path);
        } catch (IllegalAccessException | NoSuchMethodException e) {
            throw new AssertionError(stage.getClass() + " has no public static load(String)", e);
        } catch (InvocationTargetException e) {
            throw new AssertionError("loading " + path + " failed", e.getCause());
        }
        assertNotSame(stage, loaded);
        assertSame(stage.getClass(), loaded.getClass());
        assertEquals(stage.uid(), loaded.uid());
        assertEquals(stage.params().length, loaded.params().length);
        for (Param<?> p : stage.params()) {
            Param<?> q = loaded.getParam(p.name());
            assertEquals(stage.isSet(p), loaded.isSet(q), p.name() + " set");
            assertEquals(stage.get(p), loaded.get(q), p.name() + " value");
            assertEquals(stage.getDefault(p), loaded.getDefault(q), p.name() + " default");
        }
        return loaded;
    }
}
