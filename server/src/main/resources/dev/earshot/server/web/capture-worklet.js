// The microphone's samples, on the audio thread: the render quanta (128 frames each) are mixed down to mono and
// gathered into blocks of processorOptions.blockFrames, each posted to the page as a Float32Array. Blocks keep the
// page from waking 375 times a second at 48 kHz; their size sets the delay added before the server hears a sample.
class EarshotCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.blockFrames = options.processorOptions.blockFrames;
    this.block = new Float32Array(this.blockFrames);
    this.filled = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (channels.length === 0) return true; // nothing connected (yet): no samples, not silence
    const frames = channels[0].length;
    for (let i = 0; i < frames; i++) {
      let sum = 0;
      for (let c = 0; c < channels.length; c++) sum += channels[c][i];
      this.block[this.filled++] = sum / channels.length;
      if (this.filled === this.blockFrames) {
        this.port.postMessage(this.block, [this.block.buffer]);
        this.block = new Float32Array(this.blockFrames);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('earshot-capture', EarshotCapture);
