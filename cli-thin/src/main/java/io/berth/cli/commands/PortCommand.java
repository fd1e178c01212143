package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.text.json.Json;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code berth port CONTAINER [PRIVATE_PORT[/PROTO]]}: the container's published ports as Docker
 * prints them ({@code 80/tcp -> 0.0.0.0:8080}), from inspect's {@code NetworkSettings.Ports}.
 */
public final class PortCommand extends ContainerCommand {
    private final PositionalParamSpec args;

    public PortCommand(CommandContext root) {
        super(root, "port", "List port mappings or a specific mapping for the container");
        synopsis("CONTAINER [PRIVATE_PORT[/PROTO]]");
        args = arguments("CONTAINER");
    }

    @Override
    public Integer call() throws IOException {
        List<String> a = requireArgs(args, 1, 2);
        Object inspect = root.api().getJson(container(a.getFirst()) + "/json");
        Map<String, Object> ports = Json.object(inspect, "NetworkSettings", "Ports");
        String wanted = a.size() > 1 ? (a.get(1).contains("/") ? a.get(1) : a.get(1) + "/tcp") : null;
        StringBuilder out = new StringBuilder();
        boolean found = false;
        for (Map.Entry<String, Object> entry : ports.entrySet()) {
            if (!(entry.getValue() instanceof List<?> bindings)) {
                continue;
            }
            if (wanted != null && !wanted.equals(entry.getKey())) {
                continue;
            }
            for (Object binding : bindings) {
                found = true;
                String hostAddress = Json.text(binding, "HostIp") + ":" + Json.text(binding, "HostPort");
                out.append(wanted != null ? hostAddress : entry.getKey() + " -> " + hostAddress).append('\n');
            }
        }
        if (wanted != null && !found) {
            throw new CliException(ExitCodes.FAILED, "Error: No public port '" + wanted + "' published for " + a.getFirst());
        }
        root.out().print(out);
        return 0;
    }
}
