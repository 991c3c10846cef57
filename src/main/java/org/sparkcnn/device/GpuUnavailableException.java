package org.sparkcnn.device;

import org.sparkcnn.common.BadInputException;

/**
 * A GPU was asked for but cannot be used: no CUDA backend in the jar, no NVIDIA driver, or a GPU the bundled
 * kernels do not support. The message names the GPU or setting and the CPU fallback. A deployment that cannot
 * work as configured, hence bad input (exit code 2); thrown in a task, it reaches the driver as the cause of
 * Spark's job failure.
 */
public class GpuUnavailableException extends BadInputException {
    public GpuUnavailableException(String message) {
        super(message);
    }

    public GpuUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
