package dev.proxyanchor.model.layers.onednn;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.Arrays;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.javacpp.Pointer;

/**
 * The three oneDNN primitives of one convolution shape (forward, backward to the input, backward to weights and
 * bias), created once and reused every step. The primitives pick their own (blocked) layouts ("any"), which is
 * what makes oneDNN fast here: on plain NCHW layouts it falls back to im2col + GEMM at about half the speed, which
 * is what ND4J's own oneDNN {@code conv2d} op ends up doing.
 *
 * <p>Without an input gradient (a layer fed by the network input) the backward-data primitive is not created. With
 * {@code relu} the forward primitive applies a ReLU to its output as a oneDNN post-op (a BatchNorm and ReLU folded
 * into the convolution); the backward primitives then take the gradient after the ReLU's mask.
 *
 * <p>Inputs are described with their actual strides, so strided views (a channel slice of a concatenation's
 * gradient, say) are read by the reorder without an extra copy. A map handed over in a convolution's own layout
 * ({@link ActivationLayout}) is read as it is: the input (and its gradient) when {@code srcLayout} is given, the
 * output (and its gradient) when the primitives are made with {@code ownOutputLayout} and the forward primitive's
 * layout has plain NCHW's size.
 */
final class ConvPrimitives {

    private final ConvGeometry g;
    private final long[] srcStrides;
    private final long[] diffDstStrides;
    private final ActivationLayout srcLayout;
    private final boolean ownOutputLayoutAsked;
    /** The output's layout when it is written in the forward primitive's own, else null (plain NCHW). */
    private final ActivationLayout outputLayout;
    /** Whether the forward primitive's own output layout holds exactly the NCHW floats (so it can be handed over). */
    private final boolean ownLayoutFits;

    private final convolution_forward forward;
    private final BoundMemory fSrc;
    private final BoundMemory fWeights;
    private final BoundMemory fDst;
    private final memory fBias;
    private final IntMemoryMap fArgs = new IntMemoryMap();

    /** Null when the layer computes no input gradient (then so are dDiffDst, dWeights, dDiffSrc). */
    private final convolution_backward_data backwardData;
    private final BoundMemory dDiffDst;
    private final BoundMemory dWeights;
    private final BoundMemory dDiffSrc;
    private final IntMemoryMap dArgs = new IntMemoryMap();

    private final convolution_backward_weights backwardWeights;
    private final BoundMemory wSrc;
    private final BoundMemory wDiffDst;
    private final BoundMemory wDiffWeights;
    /** Whether both backward primitives want the incoming gradient in the same layout (then it is reordered once). */
    private final boolean sharedDiffDst;
    private final memory wDiffBias;
    private final IntMemoryMap wArgs = new IntMemoryMap();

    ConvPrimitives(ConvGeometry g, long[] srcStrides, long[] diffDstStrides, boolean inputGradient, boolean relu,
            ActivationLayout srcLayout, boolean ownOutputLayout) {
        this.g = g;
        this.srcStrides = srcStrides.clone();
        this.diffDstStrides = diffDstStrides.clone();
        this.srcLayout = srcLayout;
        this.ownOutputLayoutAsked = ownOutputLayout;
        memory.desc userSrc = srcLayout != null ? srcLayout.desc : strided(g.src(), srcStrides);
        memory.desc userWeights = plain(g.weights(), memory.format_tag.oihw);
        memory.desc bias = plain(new long[] {g.outChannels()}, memory.format_tag.x);
        memory.desc anySrc = plain(g.src(), memory.format_tag.any);
        memory.desc anyWeights = plain(g.weights(), memory.format_tag.any);
        memory.desc anyDst = plain(g.dst(), memory.format_tag.any);

        convolution_forward.desc fd = g.bias()
                ? new convolution_forward.desc(prop_kind.forward_training, algorithm.convolution_direct, anySrc,
                        anyWeights, bias, anyDst, g.strides(), g.dilation(), g.padL(), g.padR())
                : new convolution_forward.desc(prop_kind.forward_training, algorithm.convolution_direct, anySrc,
                        anyWeights, anyDst, g.strides(), g.dilation(), g.padL(), g.padR());
        convolution_forward.primitive_desc fpd = relu
                ? new convolution_forward.primitive_desc(fd, reluAfter(), OneDnn.engine())
                : new convolution_forward.primitive_desc(fd, OneDnn.engine());
        forward = new convolution_forward(fpd);
        memory.desc plainDst = plain(g.dst(), memory.format_tag.nchw);
        ownLayoutFits = fpd.dst_desc().get_size() == plainDst.get_size();
        outputLayout = ownOutputLayout && ownLayoutFits ? new ActivationLayout(fpd.dst_desc()) : null;
        memory.desc userDst = outputLayout != null ? outputLayout.desc : plainDst;
        memory.desc userDiffDst = outputLayout != null ? outputLayout.desc : strided(g.dst(), diffDstStrides);
        fSrc = BoundMemory.input(userSrc, fpd.src_desc(), Scratch.Slot.SRC);
        fWeights = BoundMemory.input(userWeights, fpd.weights_desc(), Scratch.Slot.WEIGHTS);
        fDst = BoundMemory.output(userDst, fpd.dst_desc(), Scratch.Slot.DST);
        fBias = g.bias() ? new memory(bias, OneDnn.engine(), new Pointer()) : null;

        convolution_backward_data.primitive_desc dpd = null;
        if (inputGradient) {
            convolution_backward_data.desc dd = new convolution_backward_data.desc(algorithm.convolution_direct,
                    anySrc, anyWeights, anyDst, g.strides(), g.dilation(), g.padL(), g.padR());
            dpd = new convolution_backward_data.primitive_desc(dd, OneDnn.engine(), fpd);
            backwardData = new convolution_backward_data(dpd);
            dDiffDst = BoundMemory.input(userDiffDst, dpd.diff_dst_desc(), Scratch.Slot.DIFF_DST);
            dWeights = BoundMemory.input(userWeights, dpd.weights_desc(), Scratch.Slot.WEIGHTS);
            dDiffSrc = BoundMemory.output(srcLayout != null ? srcLayout.desc : plain(g.src(), memory.format_tag.nchw),
                    dpd.diff_src_desc(), Scratch.Slot.DIFF_SRC);
        } else {
            backwardData = null;
            dDiffDst = null;
            dWeights = null;
            dDiffSrc = null;
        }

        convolution_backward_weights.desc wd = g.bias()
                ? new convolution_backward_weights.desc(algorithm.convolution_direct, anySrc, anyWeights, bias,
                        anyDst, g.strides(), g.dilation(), g.padL(), g.padR())
                : new convolution_backward_weights.desc(algorithm.convolution_direct, anySrc, anyWeights, anyDst,
                        g.strides(), g.dilation(), g.padL(), g.padR());
        convolution_backward_weights.primitive_desc wpd =
                new convolution_backward_weights.primitive_desc(wd, OneDnn.engine(), fpd);
        backwardWeights = new convolution_backward_weights(wpd);
        wSrc = BoundMemory.input(userSrc, wpd.src_desc(), Scratch.Slot.SRC);
        wDiffDst = BoundMemory.input(userDiffDst, wpd.diff_dst_desc(), Scratch.Slot.DIFF_DST);
        wDiffWeights = BoundMemory.output(userWeights, wpd.diff_weights_desc(), Scratch.Slot.DIFF_WEIGHTS);
        wDiffBias = g.bias() ? new memory(bias, OneDnn.engine(), new Pointer()) : null;
        sharedDiffDst = dpd != null && dpd.diff_dst_desc().equals(wpd.diff_dst_desc());
    }

    boolean fits(ConvGeometry geometry, long[] src, long[] diffDst, ActivationLayout layout, boolean ownOutput) {
        return g.equals(geometry) && (layout == null ? srcLayout == null : layout.sameAs(srcLayout))
                // Primitives asked for their own output layout and not given it write plain NCHW, as asked or not.
                && (ownOutput == ownOutputLayoutAsked || ownOutputLayoutAsked && outputLayout == null)
                && (layout != null || Arrays.equals(srcStrides, src))
                && (diffDst == null || outputLayout != null || Arrays.equals(diffDstStrides, diffDst));
    }

    /** The output's layout when these primitives write it in their own, else null: plain NCHW. */
    ActivationLayout outputLayout() {
        return outputLayout;
    }

    boolean ownLayoutFits() {
        return ownLayoutFits;
    }

    /** dst = conv(src, weights) + bias; {@code bias} is ignored for a layer without one. */
    void forward(Pointer src, Pointer weights, Pointer bias, Pointer dst) {
        fArgs.put(DNNL_ARG_SRC, fSrc.bind(src));
        fArgs.put(DNNL_ARG_WEIGHTS, fWeights.bind(weights));
        if (fBias != null) {
            fBias.set_data_handle(bias);
            fArgs.put(DNNL_ARG_BIAS, fBias);
        }
        fArgs.put(DNNL_ARG_DST, fDst.bind(dst));
        forward.execute(OneDnn.stream(), fArgs);
        fDst.publish();
        OneDnn.stream()._wait();
    }

    /**
     * diffSrc = the gradient at the input (pass null, and only then, for primitives made without it); diffWeights,
     * diffBias = the parameter gradients (overwritten).
     */
    void backward(Pointer src, Pointer weights, Pointer diffDst, Pointer diffSrc, Pointer diffWeights,
            Pointer diffBias) {
        if ((diffSrc == null) != (backwardData == null)) {
            throw new IllegalStateException("input gradient " + (diffSrc == null ? "not " : "")
                    + "requested from primitives made " + (backwardData == null ? "without" : "with") + " it");
        }
        memory reorderedDiffDst = null;
        if (backwardData != null) {
            reorderedDiffDst = dDiffDst.bind(diffDst);
            dArgs.put(DNNL_ARG_DIFF_DST, reorderedDiffDst);
            dArgs.put(DNNL_ARG_WEIGHTS, dWeights.bind(weights));
            dArgs.put(DNNL_ARG_DIFF_SRC, dDiffSrc.bind(diffSrc));
            backwardData.execute(OneDnn.stream(), dArgs);
            dDiffSrc.publish();
        }

        wArgs.put(DNNL_ARG_SRC, wSrc.bind(src));
        // The backward-data pass neither writes the reordered gradient nor reuses its scratch slot.
        wArgs.put(DNNL_ARG_DIFF_DST, sharedDiffDst ? reorderedDiffDst : wDiffDst.bind(diffDst));
        wArgs.put(DNNL_ARG_DIFF_WEIGHTS, wDiffWeights.bind(diffWeights));
        if (wDiffBias != null) {
            wDiffBias.set_data_handle(diffBias);
            wArgs.put(DNNL_ARG_DIFF_BIAS, wDiffBias);
        }
        backwardWeights.execute(OneDnn.stream(), wArgs);
        wDiffWeights.publish();
        OneDnn.stream()._wait();
    }

    private static primitive_attr reluAfter() {
        post_ops ops = new post_ops();
        ops.append_eltwise(1.0f, algorithm.eltwise_relu, 0f, 0f);
        primitive_attr attr = new primitive_attr();
        attr.set_post_ops(ops);
        return attr;
    }

    private static memory.desc plain(long[] dims, memory.format_tag tag) {
        return new memory.desc(dims, memory.data_type.f32, tag);
    }

    private static memory.desc strided(long[] dims, long[] strides) {
        return new memory.desc(dims, memory.data_type.f32, strides);
    }
}
