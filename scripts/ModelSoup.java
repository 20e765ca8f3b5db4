// The weighted mean of the weights of models of one architecture ("model soup"), written as an int8 model file with
// the first model's labels, features and provenance (plus a "soup" entry naming the ingredients). Fine-tunes of one
// model lie in one basin, so their mean is a model too. Run from the checkout after a build:
//   java -cp app/target/earshot.jar scripts/ModelSoup.java OUT.earshot W1 A.earshot W2 B.earshot ...
import dev.earshot.api.AtomicFile;
import dev.earshot.api.ModelFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

public class ModelSoup {
    public static void main(String[] args) {
        if (args.length < 3 || args.length % 2 == 0) {
            System.err.println("usage: ModelSoup OUT.earshot WEIGHT MODEL.earshot [WEIGHT MODEL.earshot ...]");
            System.exit(2);
        }
        try {
            soup(args);
        } catch (java.io.IOException | IllegalArgumentException e) {
            System.err.println("ModelSoup: " + (e instanceof java.nio.file.NoSuchFileException ? "no file " : "")
                    + e.getMessage());
            System.exit(1);
        }
    }

    static void soup(String[] args) throws java.io.IOException {
        ModelFile.Contents first = null;
        double[] sum = null;
        double total = 0;
        for (int i = 1; i < args.length; i += 2) {
            double w = Double.parseDouble(args[i]);
            if (!(w > 0)) throw new IllegalArgumentException("weight " + args[i] + " of " + args[i + 1] + " is not positive");
            ModelFile.Contents c = ModelFile.decode(Files.readAllBytes(Path.of(args[i + 1])), args[i + 1]);
            if (first == null) {
                first = c;
                sum = new double[c.weights().length];
            } else if (!c.architecture().equals(first.architecture()) || !c.labels().equals(first.labels())
                    || !c.features().equals(first.features())) {
                throw new IllegalArgumentException(args[i + 1] + ": another architecture, labels or features than " + args[2]);
            }
            float[] ws = c.weights();
            for (int j = 0; j < sum.length; j++) sum[j] += w * ws[j];
            total += w;
        }
        float[] mean = new float[sum.length];
        for (int j = 0; j < mean.length; j++) mean[j] = (float) (sum[j] / total);
        Map<String, String> provenance = new LinkedHashMap<>(first.provenance());
        provenance.put("soup", String.join(" ", Arrays.copyOfRange(args, 1, args.length)));
        ModelFile.Contents soup = new ModelFile.Contents(first.labels(), first.features(), first.architecture(),
                first.clipSamples(), provenance, mean);
        byte[] bytes = ModelFile.encode(soup, ModelFile.Precision.INT8);
        AtomicFile.write(Path.of(args[0]), out -> out.write(bytes));
        System.out.println("wrote " + args[0] + " (" + (args.length / 2) + " models)");
    }
}
