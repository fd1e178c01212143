package io.berth.engine.build;

import io.berth.engine.container.RuntimeSpecInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The extra mounts of one RUN step ({@code RUN --mount}): prepared on the mounted snapshot just
 * before the container is created, released after it is gone and before the snapshot's changes
 * become the layer (so what a mount left behind, e.g. its mount point, can be taken away).
 */
interface StepMounts {
    StepMounts NONE = new StepMounts() {
        @Override
        public List<RuntimeSpecInput.MountSpec> prepare(Path rootfs) {
            return List.of();
        }

        @Override
        public void release(Path rootfs) {
        }
    };

    /** @return the OCI mounts to add to the step's container */
    List<RuntimeSpecInput.MountSpec> prepare(Path rootfs) throws IOException;

    /** Undoes {@link #prepare}; called whether the command succeeded or not. */
    void release(Path rootfs) throws IOException;
}
