package io.berth.engine.container;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/** Container ids (64 hex) and names: Docker's name rule and its adjective_surname names for unnamed containers. */
public final class ContainerNames {
    private static final Pattern NAME = Pattern.compile("/?[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<String> ADJECTIVES = List.of("admiring", "brave", "calm", "clever", "eager", "focused",
            "gallant", "happy", "jolly", "keen", "lucid", "modest", "nifty", "patient", "quirky", "serene", "sharp",
            "steady", "tender", "vigilant", "wise", "zealous");
    private static final List<String> SURNAMES = List.of("babbage", "bohr", "curie", "darwin", "euler", "fermi",
            "galileo", "hopper", "kepler", "lamport", "lovelace", "meitner", "noether", "pascal", "ritchie", "shannon",
            "thompson", "torvalds", "turing", "wozniak");

    private ContainerNames() {}

    public static String newId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static String randomName() {
        return ADJECTIVES.get(RANDOM.nextInt(ADJECTIVES.size())) + "_" + SURNAMES.get(RANDOM.nextInt(SURNAMES.size()));
    }

    /**
     * A user-given name without Docker's leading slash.
     *
     * @throws IllegalArgumentException with Docker's wording for a name that breaks the rule
     */
    public static String validate(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        return name.startsWith("/") ? name.substring(1) : name;
    }
}
