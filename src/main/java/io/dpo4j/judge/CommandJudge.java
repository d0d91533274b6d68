package io.dpo4j.judge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.util.Files2;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A judge that is an external program speaking JSON lines. The program is started once (directly, never through a
 * shell) and kept alive; for each candidate dpo4j writes one line to its stdin
 * <pre>{"prompt": "...", "completion": "...", "completion_tokens": 17}</pre>
 * and reads one line from its stdout: {@code {"score": 0.73}} (a finite number) or {@code {"error": "why"}}.
 *
 * <p>An {@code error} reply or a non-finite score fails that candidate and the program keeps running. A program that
 * exits, answers something that is not such a JSON object, or does not answer within the per-candidate timeout is
 * stopped; the {@link JudgeException} names the candidate and ends with the last lines of the program's stderr. The
 * next {@link #score} call starts the program again (so a retry policy gets a fresh process). {@link #close()} closes
 * its stdin, waits briefly, then kills it.
 */
public final class CommandJudge implements Judge {
    private static final int STDERR_TAIL_CHARS = 2000;
    private static final long EXIT_GRACE_MS = 2000;

    private final List<String> argv;
    private final Duration timeout;
    private Running proc;
    private int starts;

    /**
     * @param argv    the program and its arguments (not started until the first {@link #score} call)
     * @param timeout how long one candidate may take, > 0
     */
    public CommandJudge(List<String> argv, Duration timeout) {
        if (argv == null || argv.isEmpty() || argv.get(0).isBlank()) {
            throw new IllegalArgumentException("command judge: expected a program and its arguments, found " + argv);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("command judge: expected a positive per-candidate timeout, found "
                    + timeout);
        }
        this.argv = List.copyOf(argv);
        this.timeout = timeout;
    }

    /** @return how many times the program has been started */
    public int starts() {
        return starts;
    }

    @Override
    public double[] score(List<Candidate> candidates) throws JudgeException {
        double[] out = new double[candidates.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = scoreOne(i, candidates.get(i));
        }
        return out;
    }

    private double scoreOne(int index, Candidate c) throws JudgeException {
        Running p = running(index, c);
        ObjectNode req = Files2.JSON.createObjectNode();
        req.put("prompt", c.prompt());
        req.put("completion", c.completion());
        req.put("completion_tokens", c.completionTokens());
        String line;
        try {
            p.send(Files2.JSON.writeValueAsString(req));
            line = p.lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (JsonProcessingException e) {
            throw new JudgeException(index, c.prompt(), "cannot encode the request: " + e.getOriginalMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw broken(index, c, "interrupted while waiting for the program");
        }
        if (line == null) {
            throw broken(index, c, "no answer within " + timeout.toMillis() + " ms");
        }
        if (Running.isEof(line)) {
            throw broken(index, c, "the program closed its stdout" + exitNote(p));
        }
        return parseReply(index, c, line);
    }

    private double parseReply(int index, Candidate c, String line) throws JudgeException {
        JsonNode reply;
        try {
            reply = Files2.JSON.readTree(line);
        } catch (JsonProcessingException e) {
            reply = null;
        }
        if (reply == null || !reply.isObject()) {
            throw broken(index, c, "expected a JSON object line {\"score\": x} or {\"error\": \"...\"}, found "
                    + shorten(line));
        }
        if (reply.has("error")) {
            throw new JudgeException(index, c.prompt(), name() + " reported an error: " + shorten(
                    reply.get("error").isTextual() ? reply.get("error").asText() : reply.get("error").toString()));
        }
        JsonNode score = reply.get("score");
        if (score == null || !score.isNumber()) {
            throw broken(index, c, "expected a numeric \"score\" field, found " + shorten(line));
        }
        double v = score.asDouble();
        if (!Double.isFinite(v)) {
            throw new JudgeException(index, c.prompt(), name() + " returned the non-finite score " + v);
        }
        return v;
    }

    private Running running(int index, Candidate c) throws JudgeException {
        if (proc != null && proc.process.isAlive()) {
            return proc;
        }
        if (proc != null) {
            Running dead = proc;
            proc = null;
            throw new JudgeException(index, c.prompt(), name() + " exited" + exitNote(dead) + "; stderr tail: "
                    + dead.stderrTail());
        }
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE).redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.PIPE);
        try {
            proc = new Running(pb.start(), argv.get(0));
            starts++;
            return proc;
        } catch (IOException e) {
            throw new JudgeException(index, c.prompt(), "cannot start " + name() + ": " + e.getMessage(), e);
        }
    }

    /** Stops the program after a protocol failure and builds the exception with its stderr tail. */
    private JudgeException broken(int index, Candidate c, String reason) {
        Running p = proc;
        proc = null;
        String tail = p == null ? "" : p.stop(true);
        return new JudgeException(index, c.prompt(), name() + ": " + reason + "; program stopped; stderr tail: "
                + (tail.isEmpty() ? "(empty)" : tail));
    }

    private static String exitNote(Running p) {
        try {
            if (p.process.waitFor(200, TimeUnit.MILLISECONDS)) {
                return " (exit code " + p.process.exitValue() + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    private static String shorten(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    @Override
    public String name() {
        return "cmd:" + String.join(" ", argv);
    }

    /** Closes the program's stdin, waits up to 2 s for it to exit, then kills it. */
    @Override
    public void close() {
        if (proc != null) {
            proc.stop(false);
            proc = null;
        }
    }

    /** A started program: its stdin, a queue of its stdout lines, and a ring of its stderr. */
    private static final class Running {
        /** Queued after the program's last stdout line; compared by identity, so no program line can equal it. */
        private static final String EOF = new String("<eof>");
        private static final byte[] CLOSE = new byte[0];

        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final BlockingQueue<byte[]> outbox = new LinkedBlockingQueue<>();
        private final StringBuilder stderr = new StringBuilder();
        private final Thread outReader;
        private final Thread errReader;

        Running(Process process, String program) {
            this.process = process;
            this.outReader = daemon("dpo4j-judge-stdout " + program, () -> readLines(process.getInputStream()));
            this.errReader = daemon("dpo4j-judge-stderr " + program, () -> readStderr(process.getErrorStream()));
            // writes go through a thread so a program that stops reading cannot block the caller past its timeout
            daemon("dpo4j-judge-stdin " + program, () -> writeLines(process.getOutputStream()));
        }

        @SuppressWarnings("StringEquality")
        static boolean isEof(String line) {
            return line == EOF;
        }

        void send(String line) {
            outbox.add((line + "\n").getBytes(StandardCharsets.UTF_8));
        }

        private void writeLines(OutputStream stdin) {
            try (stdin) {
                for (byte[] b; (b = outbox.take()) != CLOSE; ) {
                    stdin.write(b);
                    stdin.flush();
                }
            } catch (IOException e) {
                // the program closed its stdin or exited: the stdout reader reports EOF, or the caller times out
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static Thread daemon(String name, Runnable r) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
            return t;
        }

        private void readLines(InputStream in) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // the stream closed under us (process stopped); the EOF marker below reports it
            }
            lines.add(EOF);
        }

        private void readStderr(InputStream in) {
            byte[] buf = new byte[4096];
            try (in) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (stderr) {
                        stderr.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                        if (stderr.length() > 4 * STDERR_TAIL_CHARS) {
                            stderr.delete(0, stderr.length() - STDERR_TAIL_CHARS);
                        }
                    }
                }
            } catch (IOException e) {
                // the stream closed under us (process stopped)
            }
        }

        String stderrTail() {
            try {
                errReader.join(500); // let the reader drain what the program wrote before it stopped
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (stderr) {
                String s = stderr.length() > STDERR_TAIL_CHARS
                        ? "…" + stderr.substring(stderr.length() - STDERR_TAIL_CHARS) : stderr.toString();
                return s.strip();
            }
        }

        /**
         * Stops the program: kills it at once when {@code force}, else closes its stdin and waits up to 2 s for it to
         * exit before killing it (and any processes it started). Returns the stderr tail.
         */
        String stop(boolean force) {
            outbox.add(CLOSE);
            try {
                if (force || !process.waitFor(EXIT_GRACE_MS, TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(EXIT_GRACE_MS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            String tail = stderrTail();
            try {
                outReader.join(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return tail;
        }
    }
}
