package org.sparkcnn.device;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link GpuInventory} from {@code nvidia-smi --query-gpu=index,uuid,name,compute_cap}, which ships with
 * the NVIDIA driver. Drivers older than 510 do not know {@code compute_cap}: then the GPUs are listed
 * without it (and checked once nd4j has started).
 */
public final class NvidiaSmi implements GpuInventory {
    private static final long TIMEOUT_SECONDS = 30;
    private final String command;

    /** @param command the nvidia-smi executable, usually just "nvidia-smi" (looked up on PATH) */
    public NvidiaSmi(String command) {
        this.command = command;
    }

    public NvidiaSmi() {
        this("nvidia-smi");
    }

    @Override
    public List<GpuInfo> gpus() {
        Result withCapability = run("index,uuid,name,compute_cap");
        if (withCapability.exitCode() == 0) {
            return parse(withCapability.output());
        }
        Result plain = run("index,uuid,name");
        if (plain.exitCode() == 0) {
            return parse(plain.output());
        }
        throw new GpuUnavailableException(command + " failed (exit " + plain.exitCode() + "): "
                + firstLine(plain.output()));
    }

    /**
     * Parses the CSV lines of {@code --format=csv,noheader}: index, uuid, name and optionally compute_cap
     * ("[N/A]" or missing = unknown). Names may hold commas, so index and uuid come from the left and the
     * capability from the right.
     */
    static List<GpuInfo> parse(String csv) {
        List<GpuInfo> gpus = new ArrayList<>();
        for (String line : csv.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length < 3) {
                throw new GpuUnavailableException("unexpected nvidia-smi output line: " + line);
            }
            Optional<ComputeCapability> capability = Optional.empty();
            int nameEnd = f.length;
            if (f.length >= 4 && f[f.length - 1].trim().matches("\\d+\\.\\d|\\[N/A]")) {
                String cap = f[f.length - 1].trim();
                capability = cap.startsWith("[") ? Optional.empty() : Optional.of(ComputeCapability.parse(cap));
                nameEnd = f.length - 1;
            }
            StringBuilder name = new StringBuilder();
            for (int i = 2; i < nameEnd; i++) {
                name.append(i > 2 ? "," : "").append(f[i]);
            }
            try {
                gpus.add(new GpuInfo(Integer.parseInt(f[0].trim()), f[1].trim(), name.toString().trim(), capability));
            } catch (NumberFormatException e) {
                throw new GpuUnavailableException("unexpected nvidia-smi output line: " + line);
            }
        }
        return gpus;
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(String fields) {
        ProcessBuilder builder = new ProcessBuilder(command, "--query-gpu=" + fields, "--format=csv,noheader")
                .redirectErrorStream(true);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new GpuUnavailableException("cannot run " + command + " (" + e.getMessage()
                    + "): no NVIDIA driver on this host, or nvidia-smi is not on the PATH");
        }
        // read on a thread of its own (not the common pool) so that a hanging nvidia-smi cannot block us past
        // the timeout
        CompletableFuture<String> output = new CompletableFuture<>();
        Thread reader = new Thread(() -> output.complete(readAll(process.getInputStream())), "nvidia-smi-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new GpuUnavailableException(command + " did not answer within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), output.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new GpuUnavailableException("interrupted while running " + command, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new GpuUnavailableException("cannot read the output of " + command, e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String firstLine(String text) {
        String t = text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
