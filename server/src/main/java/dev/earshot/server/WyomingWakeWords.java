package dev.earshot.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.earshot.api.KeywordModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The served models' keywords as Wyoming wake words, and the {@code info} event that lists them. Home Assistant
 * uses the first installed wake program of a service only, so every model's keywords are models of one program,
 * {@code earshot}: the default model's by their plain label ({@code yes}), the others' as {@code model/label}
 * ({@code windows/yes}). The default model comes first, then the others by name.
 */
final class WyomingWakeWords {
    /** One keyword of one model, under the name clients detect it by. */
    record WakeWord(String name, String modelName, KeywordModel model, String label) {}

    static final String PROGRAM = "earshot";

    private final Map<String, WakeWord> byName = new LinkedHashMap<>();
    private final Map<String, KeywordModel> models = new LinkedHashMap<>();
    private final WyomingEvent info;

    WyomingWakeWords(Map<String, KeywordModel> served, String defaultModel) {
        if (served.isEmpty()) throw new IllegalArgumentException("no models to serve");
        if (!served.containsKey(defaultModel)) {
            throw new IllegalArgumentException("the default model " + defaultModel + " is not among " + served.keySet());
        }
        models.put(defaultModel, served.get(defaultModel));
        new TreeMap<>(served).forEach(models::putIfAbsent);
        models.forEach((modelName, m) -> {
            for (String label : m.labels()) {
                if (!m.isKeyword(label)) continue;
                String name = modelName.equals(defaultModel) ? label : modelName + "/" + label;
                WakeWord clash = byName.putIfAbsent(name, new WakeWord(name, modelName, m, label));
                if (clash != null) {
                    throw new IllegalArgumentException("two wake words would be named '" + name + "': "
                            + clash.modelName() + "'s keyword " + clash.label() + " and " + modelName + "'s " + label);
                }
            }
        });
        this.info = WyomingEvent.of("info", infoData());
    }

    /** The wake word of this name, or null. */
    WakeWord get(String name) {
        return byName.get(name);
    }

    /** Every wake word, in the order {@code info} lists them. */
    List<WakeWord> all() {
        return List.copyOf(byName.values());
    }

    /** The served models, the default first. */
    Map<String, KeywordModel> models() {
        return models;
    }

    /** The answer to {@code describe}. */
    WyomingEvent info() {
        return info;
    }

    private ObjectNode infoData() {
        ObjectNode data = WyomingEvent.JSON.createObjectNode();
        for (String other : List.of("asr", "tts", "handle", "intent")) data.putArray(other);
        ObjectNode program = data.putArray("wake").addObject();
        program.put("name", PROGRAM);
        program.put("description", "Earshot: spoken-command spotting (a GRU over MFCCs); models "
                + String.join(", ", models.keySet()));
        attribution(program, "Earshot", "");
        program.put("installed", true);
        program.putNull("version");
        ArrayNode list = program.putArray("models");
        for (WakeWord w : byName.values()) {
            ObjectNode m = list.addObject();
            m.put("name", w.name());
            // Home Assistant shows the description as the wake word's name.
            m.put("description", w.name().equals(w.label()) ? w.label() : w.label() + " (" + w.modelName() + ")");
            m.put("phrase", w.label());
            // Speech Commands is English; of other training data Earshot knows no language. The data is known by
            // its folder's name (speech-commands-real for the bundled models, speech_commands_v0.02 downloaded).
            boolean speechCommands = w.model().provenance().getOrDefault("data", "").toLowerCase(java.util.Locale.ROOT)
                    .replace('_', '-').contains("speech-commands");
            if (speechCommands) {
                attribution(m, "Earshot, trained on Google's Speech Commands (CC BY 4.0)", "https://arxiv.org/abs/1804.03209");
            } else {
                attribution(m, "Earshot", "");
            }
            m.put("installed", true);
            ArrayNode languages = m.putArray("languages");
            if (speechCommands) languages.add("en");
            m.put("version", w.model().provenance().get("created"));  // when it was trained; null if unknown
        }
        return data;
    }

    private static void attribution(ObjectNode artifact, String name, String url) {
        ObjectNode a = artifact.putObject("attribution");
        a.put("name", name);
        a.put("url", url);
    }

    /** The names a client may detect, for error messages. */
    String names() {
        return String.join(", ", byName.keySet());
    }
}
