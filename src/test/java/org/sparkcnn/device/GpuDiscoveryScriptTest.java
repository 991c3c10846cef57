package org.sparkcnn.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** submit-scripts/gpu-discovery.sh against a fake nvidia-smi first on the PATH. */
class GpuDiscoveryScriptTest {
    private static final Path SCRIPT = Path.of("submit-scripts", "gpu-discovery.sh").toAbsolutePath();
    /** Answers like a 3-GPU node: an A100 pair and an H100. Without compute_cap when FAKE_OLD_DRIVER is set. */
    private static final String THREE_GPUS = """
            case "$*" in
              *--format=csv,noheader*) ;;
              *) echo "unexpected arguments: $*" >&2; exit 3 ;;
            esac
            case "$*" in
              *compute_cap*)
                if [ -n "$FAKE_OLD_DRIVER" ]; then echo 'Field "compute_cap" is not a valid field to query.'; exit 2; fi
                printf '0, GPU-aaaa-0000, 8.0\\n1, GPU-bbbb-1111, 8.0\\n2, GPU-cccc-2222, 9.0\\n' ;;
              *) printf '0, GPU-aaaa-0000\\n1, GPU-bbbb-1111\\n2, GPU-cccc-2222\\n' ;;
            esac
            """;

    private record Run(int exitCode, String stdout, String stderr) {
    }

    private static Run run(Path pathDir, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString());
        builder.environment().remove("CUDA_VISIBLE_DEVICES");
        builder.environment().remove("NVIDIA_SMI");
        builder.environment().put("PATH", pathDir + ":/usr/bin:/bin");
        builder.environment().putAll(env);
        Path out = Files.createTempFile(pathDir, "out", ".txt");
        Path err = Files.createTempFile(pathDir, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("gpu-discovery.sh did not finish within 30 s");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip(),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void printsEveryGpuAsSparkResourceJson(@TempDir Path dir) throws Exception {
        FakeNvidiaSmi.write(dir, THREE_GPUS);
        Run run = run(dir, Map.of());
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\",\"2\"]}", run.stdout());
        assertTrue(run.stderr().contains("GPU 2") && run.stderr().contains("9.0") && run.stderr().contains("sm_37..sm_86"),
                "the Hopper GPU is warned about: " + run.stderr());
    }

    @Test
    void listsOnlyTheGpusCudaVisibleDevicesShows(@TempDir Path dir) throws Exception {
        FakeNvidiaSmi.write(dir, THREE_GPUS);
        assertEquals("{\"name\":\"gpu\",\"addresses\":[\"1\"]}",
                run(dir, Map.of("CUDA_VISIBLE_DEVICES", "1")).stdout());
        Run byUuid = run(dir, Map.of("CUDA_VISIBLE_DEVICES", "GPU-bbbb,GPU-aaaa-0000"));
        assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}", byUuid.stdout());
        assertEquals("", byUuid.stderr(), "no warning: the H100 is not visible");
    }

    @Test
    void worksWithDriversThatDoNotKnowComputeCap(@TempDir Path dir) throws Exception {
        FakeNvidiaSmi.write(dir, THREE_GPUS);
        Run run = run(dir, Map.of("FAKE_OLD_DRIVER", "1"));
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\",\"2\"]}", run.stdout());
    }

    @Test
    void failsClearlyWithoutNvidiaSmiOrWithoutGpus(@TempDir Path dir) throws Exception {
        assumeFalse(Files.exists(Path.of("/usr/bin/nvidia-smi")) || Files.exists(Path.of("/bin/nvidia-smi")),
                "this machine has a real nvidia-smi");
        Run missing = run(dir, Map.of());
        assertEquals(1, missing.exitCode());
        assertEquals("", missing.stdout());
        assertTrue(missing.stderr().contains("'nvidia-smi' not found on PATH"), missing.stderr());

        FakeNvidiaSmi.write(dir, THREE_GPUS);
        Run none = run(dir, Map.of("CUDA_VISIBLE_DEVICES", "7"));
        assertEquals(1, none.exitCode());
        assertTrue(none.stderr().contains("no GPU found"), none.stderr());

        FakeNvidiaSmi.write(dir, "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'; exit 9\n");
        Run broken = run(dir, Map.of());
        assertEquals(1, broken.exitCode());
        assertTrue(broken.stderr().contains("could not communicate with the NVIDIA driver"), broken.stderr());
    }
}
