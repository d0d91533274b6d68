package io.dpo4j.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Loader;

/**
 * The CUDA 13 runtime libraries ORT's CUDA provider needs, and an optional preload of them from the directories in
 * {@code DPO4J_CUDA_LIBS} (colon-separated): loading them globally first lets the provider's {@code dlopen} resolve
 * them by soname without touching {@code LD_LIBRARY_PATH}.
 */
final class CudaLibraries {
    /** Environment variable naming directories that hold the CUDA runtime libraries. */
    static final String ENV = "DPO4J_CUDA_LIBS";
    /** Sonames the CUDA provider of ORT 1.24.1 links against, in dependency order. */
    static final List<String> REQUIRED = List.of("libcudart.so.13", "libcublasLt.so.13", "libcublas.so.13",
            "libcufft.so.12", "libcudnn.so.9");

    private static boolean preloaded;

    private CudaLibraries() {
    }

    /** Loads each required library found in {@code DPO4J_CUDA_LIBS} (once per process); returns those not found. */
    static synchronized List<String> preload() {
        List<String> missing = new ArrayList<>();
        String dirs = System.getenv(ENV);
        for (String lib : REQUIRED) {
            Path found = find(dirs, lib);
            if (found == null) {
                missing.add(lib);
            } else if (!preloaded) {
                Loader.loadGlobal(found.toString());
            }
        }
        preloaded = true;
        return missing;
    }

    private static Path find(String dirs, String lib) {
        if (dirs == null || dirs.isBlank()) {
            return null;
        }
        for (String dir : dirs.split(":")) {
            Path p = Path.of(dir, lib);
            if (!dir.isBlank() && Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** What a CUDA failure most likely needs, naming what {@code DPO4J_CUDA_LIBS} lacks. */
    static String hint() {
        String dirs = System.getenv(ENV);
        List<String> missing = new ArrayList<>();
        for (String lib : REQUIRED) {
            if (find(dirs, lib) == null) {
                missing.add(lib);
            }
        }
        return "CUDA needs the GPU natives (build with -Pgpu: onnxruntime classifier linux-x86_64-gpu) and the CUDA 13 "
                + "runtime libraries " + REQUIRED + " on LD_LIBRARY_PATH or in a directory named by " + ENV
                + (dirs == null ? " (unset)" : missing.isEmpty() ? "" : "; not found in " + ENV + "=" + dirs + ": "
                + missing);
    }
}
