package dev.earshot.app.train;

/**
 * One labelled clip in memory: PCM at the model's rate, cut or padded to the clip length, its label
 * index, and where it came from ({@code word/file.wav}) and who spoke it.
 */
public record Example(String path, String speaker, int label, float[] pcm) {}
