package org.sparkcnn.bench;

import java.lang.management.ManagementFactory;

/** CPU time used by this process, native threads included. */
public final class ProcessCpu {
    private ProcessCpu() {
    }

    public static double seconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }
}
