package io.berth.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.engine.domain.DomainException;
import io.berth.eventlog.events.Event;
import io.berth.eventlog.events.ImageDescription;
import io.berth.eventlog.events.ImageEvent;
import io.berth.eventlog.events.ImageLayer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The image slice's rules, decided from a command and a state with no daemon, registry or store. */
class ImageDeciderTest {
    private static final String BUSYBOX = "sha256:" + "b".repeat(64);
    private static final String ALPINE = "sha256:" + "a".repeat(64);
    private static final String BUSYBOX_LATEST = "docker.io/library/busybox:latest";
    private static final String BUSYBOX_ONE = "docker.io/library/busybox:1";
    private static final String ALPINE_LATEST = "docker.io/library/alpine:latest";

    private static ImageDescription image(String id) {
        ImageLayer layer = new ImageLayer("sha256:" + id.substring(7, 20) + "l".repeat(51), "application/vnd.oci.image.layer.v1.tar+gzip",
                10, "sha256:" + "d".repeat(64), "sha256:" + id.substring(7, 20) + "c".repeat(51));
        return new ImageDescription(id, "sha256:" + id.substring(7, 20) + "m".repeat(51), "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.oci.image.config.v1+json", List.of(layer), "linux", "amd64", "", "2026-01-01T00:00:00Z", 10);
    }

    /** A state holding {@code id} with {@code tags}. */
    private static ImageState with(ImageState state, String id, String... tags) {
        ImageState.ImageEntry entry = new ImageState.ImageEntry();
        entry.image = image(id);
        for (String tag : tags) {
            entry.repoTags.add(tag);
            state.tags.put(tag, id);
        }
        state.images.put(id, entry);
        return state;
    }

    @Test
    void givenATagHeldByAnotherImage_whenTagged_thenTheHolderIsUntaggedFirst() {
        ImageState state = with(with(new ImageState(), BUSYBOX, BUSYBOX_LATEST), ALPINE);
        assertEquals(List.of(new ImageEvent.ImageUntagged(BUSYBOX, BUSYBOX_LATEST), new ImageEvent.ImageTagged(ALPINE, BUSYBOX_LATEST)),
                ImageDecider.decide(new ImageCommand.TagImage(ALPINE, BUSYBOX_LATEST), state));
    }

    @Test
    void givenTheImageHasTheTag_whenTaggedAgain_thenNothingIsRecorded() {
        ImageState state = with(new ImageState(), BUSYBOX, BUSYBOX_LATEST);
        assertEquals(List.of(), ImageDecider.decide(new ImageCommand.TagImage(BUSYBOX, BUSYBOX_LATEST), state));
    }

    @Test
    void givenNoSuchImage_whenTagged_thenNotFound() {
        ImageException refused = assertThrows(ImageException.class,
                () -> ImageDecider.decide(new ImageCommand.TagImage(ALPINE, ALPINE_LATEST), new ImageState()));
        assertEquals(DomainException.Kind.NOT_FOUND, refused.kind());
    }

    @Test
    void givenTwoTags_whenOneIsRemoved_thenOnlyItIsUntagged() {
        ImageState state = with(new ImageState(), BUSYBOX, BUSYBOX_LATEST, BUSYBOX_ONE);
        assertEquals(List.of(new ImageEvent.ImageUntagged(BUSYBOX, BUSYBOX_ONE)),
                ImageDecider.decide(new ImageCommand.RemoveImage(BUSYBOX, "busybox:1", BUSYBOX_ONE, false, true), state));
    }

    @Test
    void givenTheLastTag_whenRemoved_thenTheImageGoesWithIt() {
        ImageState state = with(new ImageState(), BUSYBOX, BUSYBOX_LATEST);
        assertEquals(List.of(new ImageEvent.ImageUntagged(BUSYBOX, BUSYBOX_LATEST), new ImageEvent.ImageRemoved(BUSYBOX)),
                ImageDecider.decide(new ImageCommand.RemoveImage(BUSYBOX, "busybox", BUSYBOX_LATEST, false, false), state));
    }

    @Test
    void givenAnImageWithTwoTags_whenRemovedByIdUnforced_thenConflictAsDockerWordsIt() {
        ImageState state = with(new ImageState(), BUSYBOX, BUSYBOX_LATEST, BUSYBOX_ONE);
        ImageException refused = assertThrows(ImageException.class,
                () -> ImageDecider.decide(new ImageCommand.RemoveImage(BUSYBOX, "bbbb", null, false, false), state));
        assertEquals(DomainException.Kind.CONFLICT, refused.kind());
        assertEquals("conflict: unable to delete bbbbbbbbbbbb (must be forced) - image is referenced in multiple repositories",
                refused.getMessage());
        List<Event> forced = ImageDecider.decide(new ImageCommand.RemoveImage(BUSYBOX, "bbbb", null, true, false), state);
        assertEquals(new ImageEvent.ImageRemoved(BUSYBOX), forced.getLast());
        assertEquals(3, forced.size());
    }

    @Test
    void givenAContainerUsesTheImage_whenRemovedUnforced_thenConflictNamingWhatWasAsked() {
        ImageState state = with(new ImageState(), BUSYBOX, BUSYBOX_LATEST);
        ImageException refused = assertThrows(ImageException.class,
                () -> ImageDecider.decide(new ImageCommand.RemoveImage(BUSYBOX, "busybox", BUSYBOX_LATEST, false, true), state));
        assertEquals(DomainException.Kind.CONFLICT, refused.kind());
        assertEquals("conflict: unable to remove repository reference \"busybox\" (must force) - image bbbbbbbbbbbb is being used by a container",
                refused.getMessage());
    }

    @Test
    void givenAnImageRemovedMeanwhile_whenRemoved_thenNotFoundNamingWhatWasAsked() {
        ImageException refused = assertThrows(ImageException.class,
                () -> ImageDecider.decide(new ImageCommand.RemoveImage(BUSYBOX, "busybox", null, true, false), new ImageState()));
        assertEquals("No such image: busybox", refused.getMessage());
    }

    @Test
    void givenDanglingAndTaggedCandidates_whenPruned_thenOnlyDanglingUnlessAll() {
        ImageState state = with(with(new ImageState(), BUSYBOX, BUSYBOX_LATEST), ALPINE);
        assertEquals(List.of(new ImageEvent.ImageRemoved(ALPINE)),
                ImageDecider.decide(new ImageCommand.PruneImages(List.of(BUSYBOX, ALPINE), false), state));
        assertEquals(List.of(new ImageEvent.ImageUntagged(BUSYBOX, BUSYBOX_LATEST), new ImageEvent.ImageRemoved(BUSYBOX),
                        new ImageEvent.ImageRemoved(ALPINE)),
                ImageDecider.decide(new ImageCommand.PruneImages(List.of(BUSYBOX, ALPINE, "sha256:gone"), true), state));
    }

    @Test
    void givenAPullWithATag_whenRegistered_thenPulledThenTagged() {
        ImageDescription pulled = image(BUSYBOX);
        assertEquals(List.of(new ImageEvent.ImagePulled(BUSYBOX_LATEST, "docker.io/library/busybox@sha256:x", pulled, false),
                        new ImageEvent.ImageTagged(BUSYBOX, BUSYBOX_LATEST)),
                ImageDecider.decide(new ImageCommand.RegisterPulled(BUSYBOX_LATEST, "docker.io/library/busybox@sha256:x", pulled, false,
                        BUSYBOX_LATEST), new ImageState()));
        assertEquals(1, ImageDecider.decide(new ImageCommand.RegisterPulled("docker.io/library/busybox@sha256:x",
                "docker.io/library/busybox@sha256:x", pulled, true, null), new ImageState()).size());
    }

    @Test
    void givenALoadedArchive_whenRegistered_thenLayersThenImageThenTags() {
        ImageDescription loaded = image(ALPINE);
        ImageEvent.LayerUnpacked layer = new ImageEvent.LayerUnpacked(ALPINE, "sha256:c", "sha256:d", 5);
        ImageState state = with(new ImageState(), BUSYBOX, ALPINE_LATEST);
        assertEquals(List.of(layer, new ImageEvent.ImageLoaded(loaded, "docker-archive", List.of(ALPINE_LATEST)),
                        new ImageEvent.ImageUntagged(BUSYBOX, ALPINE_LATEST), new ImageEvent.ImageTagged(ALPINE, ALPINE_LATEST)),
                ImageDecider.decide(new ImageCommand.RegisterImage(loaded, "docker-archive", List.of(ALPINE_LATEST), List.of(layer)), state));
    }

    @Test
    void givenImages_whenAskedWhatIsReferenced_thenConfigsManifestsRepoDigestsAndLayers() {
        ImageState state = with(new ImageState(), BUSYBOX, BUSYBOX_LATEST);
        state.images.get(BUSYBOX).repoDigests.add("docker.io/library/busybox@sha256:index");
        ImageDecider.Referenced referenced = ImageDecider.referenced(state);
        ImageDescription busybox = state.images.get(BUSYBOX).image;
        assertEquals(Set.of(BUSYBOX, busybox.manifestDigest(), "sha256:index", busybox.layers().getFirst().digest()), referenced.blobs());
        assertEquals(Set.of(busybox.layers().getFirst().chainId()), referenced.layers());
        assertTrue(ImageDecider.referenced(new ImageState()).blobs().isEmpty());
    }
}
