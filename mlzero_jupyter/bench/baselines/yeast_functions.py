"""Expert baseline: yeast_functions (multi-label, 0/1 columns): one binary TabularPredictor per functional class.

Each label's predictor is fitted for F1, so AutoGluon tunes its decision threshold for F1 on its validation rows;
every label gets an equal share of the time left. Macro F1 over the classes is the mean of their F1.
"""

import pandas as pd

from mlzero_jupyter.bench.baselines.expert import arguments, fit_seconds, write

if __name__ == "__main__":
    from autogluon.tabular import TabularPredictor

    folder, budget = arguments()
    train, test = pd.read_csv(folder / "train.csv"), pd.read_csv(folder / "test.csv")
    classes = [c for c in pd.read_csv(folder / "sample_submission.csv", nrows=1).columns if c != "gene"]
    features = train.drop(columns=["gene", *classes])
    submission = test[["gene"]].copy()
    for number, label in enumerate(classes):
        predictor = TabularPredictor(label=label, problem_type="binary", eval_metric="f1", path=f"model/{label}",
                                     verbosity=1)
        predictor.fit(features.assign(**{label: train[label]}),
                      time_limit=fit_seconds(budget) / (len(classes) - number))
        submission[label] = predictor.predict(test.drop(columns=["gene"])).astype(int).to_numpy()
    write(submission)
