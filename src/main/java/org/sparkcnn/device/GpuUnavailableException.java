package org.sparkcnn.device;

/**
 * A GPU was asked for but cannot be used: no CUDA backend in the jar, no NVIDIA driver, or a GPU the bundled
 * kernels do not support. The message names the GPU or setting and the CPU fallback.
 */
public class GpuUnavailableException extends RuntimeException {
    public GpuUnavailableException(String message) {
        super(message);
    }

    public GpuUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
