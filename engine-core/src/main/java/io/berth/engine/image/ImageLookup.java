package io.berth.engine.image;

import io.berth.eventlog.events.ImageDescription;
import java.util.List;

/** What a pull asks of the image projection: is the image already here, complete? */
interface ImageLookup {
    boolean isComplete(String imageId, List<String> chainIds);

    ImageDescription description(String imageId);
}
