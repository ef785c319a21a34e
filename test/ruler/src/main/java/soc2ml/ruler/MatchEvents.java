package soc2ml.ruler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import software.amazon.event.ruler.Machine;

/**
 * Reads {"rules": {name: eventPattern}, "events": {id: event}} from the file named by the only
 * argument and prints {id: [names of the rules whose pattern matches, sorted]} on stdout.
 * Patterns and events are passed to Event Ruler as JSON text, exactly as EventBridge receives them.
 */
public final class MatchEvents {
  private MatchEvents() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: MatchEvents <input.json>");
      System.exit(2);
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode input = json.readTree(new File(args[0]));
    Machine machine = new Machine();
    for (Iterator<Map.Entry<String, JsonNode>> rules = input.get("rules").fields(); rules.hasNext(); ) {
      Map.Entry<String, JsonNode> rule = rules.next();
      machine.addRule(rule.getKey(), json.writeValueAsString(rule.getValue()));
    }
    ObjectNode output = json.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> events = input.get("events").fields(); events.hasNext(); ) {
      Map.Entry<String, JsonNode> event = events.next();
      List<String> matched = new ArrayList<>(machine.rulesForJSONEvent(json.writeValueAsString(event.getValue())));
      Collections.sort(matched);
      ArrayNode names = output.putArray(event.getKey());
      matched.forEach(names::add);
    }
    System.out.println(json.writeValueAsString(output));
  }
}
