package org.sparkcnn.device;

import java.io.Serializable;

/**
 * A CUDA compute capability, e.g. 8.0 (A100) or 9.0 (H100); CUDA code for it is built as {@code sm_80}.
 *
 * @param major architecture generation (3 Kepler .. 9 Hopper)
 * @param minor revision within the generation
 */
public record ComputeCapability(int major, int minor) implements Comparable<ComputeCapability>, Serializable {
    public ComputeCapability {
        if (major < 1 || minor < 0 || minor > 9) {
            throw new IllegalArgumentException("not a compute capability: " + major + "." + minor);
        }
    }

    /** Parses nvidia-smi's {@code compute_cap} ("8.6") or an {@code sm_86} name. */
    public static ComputeCapability parse(String text) {
        String t = text.trim();
        try {
            if (t.startsWith("sm_") && t.length() >= 5) {
                String digits = t.substring(3);
                return new ComputeCapability(Integer.parseInt(digits.substring(0, digits.length() - 1)),
                        Integer.parseInt(digits.substring(digits.length() - 1)));
            }
            int dot = t.indexOf('.');
            if (dot > 0) {
                return new ComputeCapability(Integer.parseInt(t.substring(0, dot)), Integer.parseInt(t.substring(dot + 1)));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("not a compute capability: '" + text + "' (expected e.g. 8.6 or sm_86)");
    }

    /** CUDA's architecture name, e.g. {@code sm_86}. */
    public String sm() {
        return "sm_" + major + minor;
    }

    @Override
    public int compareTo(ComputeCapability o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
