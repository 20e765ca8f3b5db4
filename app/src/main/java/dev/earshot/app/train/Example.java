package dev.earshot.app.train;

import java.nio.file.Path;

/**
 * One labelled clip in memory: PCM at the model's rate, cut or padded to the clip length, its label
 * index, where it came from ({@code word/file.wav} in the dataset, and the file) and who spoke it.
 */
public record Example(String path, Path file, String speaker, int label, float[] pcm) {}
