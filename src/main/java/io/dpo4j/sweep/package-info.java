/**
 * Hyper-parameter search over {@code dpo4j train}'s numeric options: search spaces, grid / random / Bayesian
 * (Gaussian-process expected improvement) proposals, and a resumable sweep runner with a leaderboard.
 */
package io.dpo4j.sweep;
