namespace WcLayer.Images;

/// <summary>Progress of an image operation: which layer, and how far into it.</summary>
/// <param name="Layer">The layer being processed.</param>
/// <param name="LayerCount">The number of layers of the image.</param>
/// <param name="Entry">The last entry of the layer written, when per-entry progress is available.</param>
public readonly record struct ImageProgress(ImageLayer Layer, int LayerCount, LayerProgress? Entry);
