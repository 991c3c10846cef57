package org.sparkcnn.fit;

import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's inverted dropout (kept values scaled by 1 / retain probability, as {@link Dropout} does) with
 * the masks of a {@link DropoutMasks} instead of nd4j's random ones: the same decisions the oneDNN step
 * is given, so both compute the same function. A {@link Dropout} subclass, so that {@link CnnLayout}
 * still reads the network as sparkcnn's CNN with plain dropout.
 */
final class GivenMaskDropout extends Dropout {
    private final transient DropoutMasks masks;
    private transient INDArray givenMask;

    GivenMaskDropout(double retainProbability, DropoutMasks masks) {
        super(retainProbability);
        this.masks = masks;
    }

    @Override
    public INDArray applyDropout(INDArray input, INDArray output, int iteration, int epoch, LayerWorkspaceMgr workspaces) {
        // the input is [batch, units]: value i in row-major order is image i / units, unit i % units, the
        // order of the oneDNN step's mask
        float[] mask = new float[(int) input.length()];
        masks.draw(iteration, getP(), mask);
        givenMask = Nd4j.create(mask, input.shape(), 'c').castTo(input.dataType());
        return output.assign(input.mul(givenMask));
    }

    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        if (givenMask == null) {
            throw new IllegalStateException("backprop without a forward pass in training");
        }
        gradAtInput.assign(gradAtOutput.mul(givenMask));
        givenMask = null;
        return gradAtInput;
    }

    @Override
    public void clear() {
        givenMask = null;
    }

    @Override
    public Dropout clone() {
        return new GivenMaskDropout(getP(), masks);
    }
}
