package io.dpo4j.iterate;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code dpo4j iterate --length-target L} engages: the length judge and iLR-DPO's loss term, unless the user says
 * otherwise. Rules, applied only when L > 0 (without a target nothing is added and λ is the option's value):
 * <ul>
 *   <li><b>Judge</b>: no {@code --judge} given (on the command line or as a {@code --config} list) → the default judge
 *       plus {@code length:round(L)@}{@link IterateDefaults#LENGTH_JUDGE_WEIGHT}; any {@code --judge} given → exactly
 *       the given specs (add a {@code length:} spec yourself).</li>
 *   <li><b>λ</b>: no {@code --length-lambda} given (command line or {@code --config} key) → {@link #defaultLambda}
 *       {@code (L)} = {@link IterateDefaults#LENGTH_LAMBDA_SCALE} / L² (the term λ·((|y_w| − L)² − (|y_l| − L)²) then
 *       has the same size for the same relative lengths at every L); a given value, 0 included, is kept.</li>
 * </ul>
 * {@code dpo4j train} is unaffected: its {@code --length-lambda} defaults to 0.
 *
 * @param judgeSpecs   the effective judge specs
 * @param lengthLambda the effective iLR-DPO λ
 * @param judgeAdded   whether the length judge was added to the default judge
 * @param lambdaDefaulted whether λ is the default of {@link #defaultLambda} rather than a given value
 */
public record LengthControl(List<String> judgeSpecs, double lengthLambda, boolean judgeAdded,
                            boolean lambdaDefaulted) {

    /** Copies the list. */
    public LengthControl {
        judgeSpecs = List.copyOf(judgeSpecs);
    }

    /**
     * @param lengthTarget  {@code --length-target} (0 = none)
     * @param givenJudges   the {@code --judge} specs given (empty = none given)
     * @param defaultJudges the judge used when none is given (the demo's sentiment classifier)
     * @param givenLambda   {@code --length-lambda} when given, else null
     * @return the effective judge specs and λ
     */
    public static LengthControl resolve(double lengthTarget, List<String> givenJudges, List<String> defaultJudges,
                                        Double givenLambda) {
        boolean target = lengthTarget > 0;
        boolean addJudge = target && givenJudges.isEmpty();
        List<String> specs = new ArrayList<>(givenJudges.isEmpty() ? defaultJudges : givenJudges);
        if (addJudge) {
            specs.add(lengthJudge(lengthTarget));
        }
        boolean defaultLambda = target && givenLambda == null;
        double lambda = defaultLambda ? defaultLambda(lengthTarget) : givenLambda == null ? 0.0 : givenLambda;
        return new LengthControl(specs, lambda, addJudge, defaultLambda);
    }

    /** @return the length judge added for target {@code lengthTarget}: {@code length:round(L)@W} */
    public static String lengthJudge(double lengthTarget) {
        return "length:" + Math.round(lengthTarget) + "@" + IterateDefaults.LENGTH_JUDGE_WEIGHT;
    }

    /** @return the default λ for target {@code lengthTarget} > 0: {@link IterateDefaults#LENGTH_LAMBDA_SCALE} / L² */
    public static double defaultLambda(double lengthTarget) {
        return Double.parseDouble(IterateDefaults.LENGTH_LAMBDA_SCALE) / (lengthTarget * lengthTarget);
    }

    /** @return one log line: the effective judge and λ and where each came from */
    public String describe(double lengthTarget) {
        String judge = String.join(" + ", judgeSpecs) + (judgeAdded ? " (length judge added: --length-target "
                + fmt(lengthTarget) + ", no --judge given)" : "");
        String lambda = fmt(lengthLambda) + (lambdaDefaulted ? " (default " + IterateDefaults.LENGTH_LAMBDA_SCALE
                + "/L^2 for --length-target " + fmt(lengthTarget) + ")" : "");
        return "judge: " + judge + "; length-lambda: " + lambda;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : Double.toString(v);
    }
}
