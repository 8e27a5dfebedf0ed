using Pipeline.Cards;

namespace Pipeline.Inference;

/// <summary>
/// Which card a command on a gradient model uses: the stored one, or --card. A --card unlike the
/// stored card is refused, since the model was exported for the stored one and a wrong card gives
/// wrong classes without any error; --card-override takes it anyway and says so.
/// </summary>
public static class CardChoice
{
    /// <summary>The card to use; a notice on stderr when --card-override replaces a stored card.</summary>
    public static ModelCard For(GradientModelInfo model, FileInfo? file, bool overrideStored)
    {
        if (file == null)
        {
            if (overrideStored) throw new UsageException("--card-override: name the card to use with --card");
            if (model.StoredCard != null) return model.StoredCard;
            throw new InputException(model.StoredCardProblem
                ?? $"{model.ModelName}: no model card stored; pass --card (see models/onnx/*.card.json) or export with --card");
        }
        var given = ModelCard.Load(file.FullName);
        if (!model.HasStoredCard) return given;
        var stored = model.StoredCard == null ? "an unreadable card" : $"'{model.StoredCard.Name}'";
        if (overrideStored)
        {
            Console.Error.WriteLine($"notice: --card-override: using {file.FullName} ('{given.Name}') in place of the card stored in {model.ModelName} ({stored})");
            return given;
        }
        if (model.StoredCard == null) throw new InputException($"{model.StoredCardProblem}; --card-override uses {file.FullName} instead");
        var differs = given.FieldsDifferingFrom(model.StoredCard);
        if (differs.Count == 0) return given;
        throw new InputException($"--card {file.FullName} ('{given.Name}') differs from the card stored in {model.ModelName} ({stored}) in {string.Join(", ", differs)}; "
            + "leave out --card to use the stored one, or add --card-override to use --card anyway");
    }
}
