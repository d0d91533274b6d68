package io.dpo4j.cli;

import io.dpo4j.dpo.LossConfig;
import io.dpo4j.dpo.LossVariant;
import picocli.CommandLine.Option;

/** Loss options shared by {@code train} and {@code eval}; all are graph inputs, so no re-export is needed. */
final class LossOptions {
    @Option(names = "--loss", defaultValue = "sigmoid",
            description = "Loss variant: sigmoid (DPO), robust, hinge, ipo, simpo. Default: ${DEFAULT-VALUE}.")
    String variant;

    @Option(names = "--beta", defaultValue = "0.1", description = "beta (> 0). Default: ${DEFAULT-VALUE}.")
    double beta;

    @Option(names = "--label-smoothing", defaultValue = "0.0",
            description = "cDPO / robust label noise epsilon in [0, 0.5). Default: ${DEFAULT-VALUE}.")
    double labelSmoothing;

    @Option(names = "--length-alpha", defaultValue = "0.0",
            description = "R-DPO alpha: + alpha(|y_w| - |y_l|) inside the sigmoid. Default: ${DEFAULT-VALUE}.")
    double lengthAlpha;

    @Option(names = "--simpo-gamma", defaultValue = "0.5",
            description = "SimPO target margin gamma (>= 0). Default: ${DEFAULT-VALUE}.")
    double simpoGamma;

    @Option(names = "--rpo-alpha", defaultValue = "0.0",
            description = "Weight of the chosen NLL term (RPO); 0 = off. Default: ${DEFAULT-VALUE}.")
    double rpoAlpha;

    @Option(names = "--length-target", paramLabel = "L", defaultValue = "0.0",
            description = "iLR-DPO target completion length L in tokens (>= 0), used with --length-lambda. "
                    + "Default: ${DEFAULT-VALUE}.")
    double lengthTarget;

    @Option(names = "--length-lambda", paramLabel = "LAMBDA", defaultValue = "0.0",
            description = "iLR-DPO lambda (>= 0): + lambda((|y_w| - L)^2 - (|y_l| - L)^2) inside the sigmoid; 0 = off. "
                    + "Default: ${DEFAULT-VALUE}.")
    double lengthLambda;

    @Option(names = "--reference-free", defaultValue = "false",
            description = "Reference-free DPO: reference log-probs are 0. Default: ${DEFAULT-VALUE}.")
    boolean referenceFree;

    /** @return the validated configuration; unknown variants fail listing the valid ones */
    LossConfig toConfig() {
        return new LossConfig(LossVariant.parse(variant), beta, labelSmoothing, lengthAlpha, simpoGamma, rpoAlpha,
                referenceFree, lengthTarget, lengthLambda);
    }
}
