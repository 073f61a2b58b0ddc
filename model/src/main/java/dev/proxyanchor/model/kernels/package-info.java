/**
 * The CPU kernels behind our layers: plain loops over {@code float[]} rows of contiguous float32 ND4J buffers (and
 * Vector API lanes where that pays), knowing nothing of DL4J. The layers in {@code dev.proxyanchor.model.layers} hold
 * the semantics (configuration, forward and backward) and call these on ND4J's CPU backend in float32; every other
 * case (float64 gradient checks, GPU arrays) runs ND4J operations. Each kernel is tested against DL4J's or ND4J's
 * own computation.
 */
package dev.proxyanchor.model.kernels;
