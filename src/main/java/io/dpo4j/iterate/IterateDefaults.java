package io.dpo4j.iterate;

/**
 * Defaults of an iterative run, one definition for {@code dpo4j iterate}'s options and {@link IterateConfig#builder}.
 * Kept as text because picocli's defaults are annotation constants. The values were chosen by measuring the embedded
 * demo (README "Iterative DPO").
 */
public final class IterateDefaults {
    /** Rounds of generate → judge → pairs → train → evaluate. */
    public static final String ROUNDS = "3";
    /** Training prompts sampled per round (a seeded permutation, taken in turn); 0 = all every round. */
    public static final String PROMPTS_PER_ROUND = "256";
    /** Completions sampled per training prompt. */
    public static final String SAMPLES_PER_PROMPT = "4";
    /** Generated tokens at most per completion. */
    public static final String MAX_NEW_TOKENS = "16";
    /** Sampling temperature (> 0: the samples of a prompt must differ). */
    public static final String TEMPERATURE = "1.0";
    /** Top-k filter; 0 = off. */
    public static final String TOP_K = "0";
    /** Nucleus filter; 1 = off. */
    public static final String TOP_P = "1.0";
    /** Repetition penalty; 1 = off. */
    public static final String REPETITION_PENALTY = "1.0";
    /** Seed of sampling, prompt order, the held-out split and each round's batch order. */
    public static final String SEED = "0";
    /** What a judge failure does. */
    public static final String JUDGE_FAILURES = "fail";
    /** Smallest best − worst score margin kept as a pair. */
    public static final String MIN_MARGIN = "0.0";
    /** Reference model of each round's DPO loss. */
    public static final String REFERENCE = "fixed";
    /** Completions sampled per held-out prompt at each evaluation. */
    public static final String EVAL_SAMPLES = "4";
    /** Held-out prompts evaluated at most; 0 = all. */
    public static final String EVAL_MAX_PROMPTS = "0";
    /** Fraction of --prompts held out when there is no --eval-prompts file. */
    public static final String EVAL_FRACTION = "0.1";
    /** Half-width of the length band around --length-target, relative to the target. */
    public static final String LENGTH_BAND = "0.2";
    /**
     * Weight W of the {@code length:L@W} judge that {@code --length-target L} adds to the default judge (see
     * {@link LengthControl}): −W·|n − L|/L per completion, so at W = 32 a 9-token completion loses 23 against a
     * 32-token one, about twice the spread of the demo's sentiment scores within a prompt's samples (10.5–10.8).
     * Measured on the demo (README "Length control"): with {@link #LENGTH_LAMBDA_SCALE}, 8 samples per prompt and 2
     * epochs per round the held-out median and mean lengths reach the band 32 ± 20% in 3 rounds for seeds 0–2;
     * W = 16 (the earlier demo value) and 4 samples per prompt did not.
     */
    public static final String LENGTH_JUDGE_WEIGHT = "32";
    /**
     * K of the default iLR-DPO λ = K / L² with {@code --length-target L} (see {@link LengthControl}); K = 10.24 gives
     * λ = 0.01 at L = 32, where (|y_w| − L)² − (|y_l| − L)² of the demo's pairs is about −400 to −600, so λ·that is
     * −4 to −6, the size of β·h late in a round. Measured on the demo (README "Length control"): λ = 0 with the same
     * judge left the median at 23 after 3 rounds.
     */
    public static final String LENGTH_LAMBDA_SCALE = "10.24";
    /** Run directory. */
    public static final String OUTPUT = "runs/iterate";
    /**
     * Passes over each round's pairs ({@code --epochs} of the round's training; train's own default is 3). Measured
     * on the demo: 3 epochs drive the tiny policy to one repeated token by round 3 (reward 52–68, KL 65–101), 1 epoch
     * raises the reward steadily at KL ≈ 8.
     */
    public static final String TRAIN_EPOCHS = "1";

    private IterateDefaults() {}
}
