"""Header knowledge of the WHOOP Data Export: canonical columns per file, localized aliases,
file-kind detection and recognition of look-alike files WHOOP did not write.

Source of every column name: docs/WHOOP.md "Headers" (canonical headers, checked against real
exports) and "Files and containers" (localized headers de/es/fr/pt-BR as reported by the importer
of https://github.com/ryanbr/noop, issues #3, #76, #79, #692).
"""

from __future__ import annotations

import re
import unicodedata

from whoop.errors import ExportFormatError

KINDS: tuple[str, ...] = ("cycles", "sleeps", "workouts", "journal")

_CYCLE = ["Cycle start time", "Cycle end time", "Cycle timezone"]
_SLEEP_METRICS = [
    "Sleep performance %", "Respiratory rate (rpm)", "Asleep duration (min)",
    "In bed duration (min)", "Light sleep duration (min)", "Deep (SWS) duration (min)",
    "REM duration (min)", "Awake duration (min)", "Sleep need (min)", "Sleep debt (min)",
    "Sleep efficiency %",
]
_RECOVERY = ["Recovery score %", "Resting heart rate (bpm)", "Heart rate variability (ms)",
             "Skin temp (celsius)", "Blood oxygen %"]
_HR = ["Max HR (bpm)", "Average HR (bpm)"]
_ZONES = [f"HR Zone {i} %" for i in range(1, 6)]

#: Canonical header of each file kind, in file order (current variant; docs/WHOOP.md#headers).
CANONICAL: dict[str, list[str]] = {
    "cycles": [*_CYCLE, *_RECOVERY, "Day Strain", "Energy burned (cal)", *_HR,
               "Sleep onset", "Wake onset", *_SLEEP_METRICS, "Sleep consistency %"],
    "sleeps": [*_CYCLE, "Sleep onset", "Wake onset", *_SLEEP_METRICS, "Sleep consistency %",
               "Nap"],
    "workouts": [*_CYCLE, "Workout start time", "Workout end time", "Duration (min)",
                 "Activity name", "Activity Strain", "Energy burned (cal)", *_HR, *_ZONES,
                 "GPS enabled", "Distance (meters)", "Altitude gain (meters)",
                 "Altitude change (meters)"],
    "journal": [*_CYCLE, "Question text", "Answered yes", "Notes"],
}

#: Columns that some genuine variants lack (docs/WHOOP.md#headers: 25/26 cycles, 17/18 sleeps, 17/20
#: workouts). ``Duration (min)`` and ``GPS enabled`` have no known localized names, so they are
#: optional too (the duration then comes from the workout's start and end).
OPTIONAL: dict[str, set[str]] = {
    "cycles": {"Sleep consistency %"},
    "sleeps": {"Sleep consistency %"},
    "workouts": {"Distance (meters)", "Altitude gain (meters)", "Altitude change (meters)",
                 "Duration (min)", "GPS enabled"},
    "journal": set(),
}

# Columns whose presence identifies a kind (a cycles header also carries sleep columns, a
# workouts header energy and HR, so only the columns unique to a kind count).
_DISTINCT: dict[str, set[str]] = {
    "cycles": {*_RECOVERY, "Day Strain"},
    "sleeps": {"Nap"},
    "workouts": {"Workout start time", "Workout end time", "Duration (min)", "Activity name",
                 "Activity Strain", *_ZONES, "GPS enabled"},
    "journal": {"Question text", "Answered yes", "Notes"},
}


def normalize(name: str) -> str:
    """Lookup key of a header cell or file name: diacritics folded, lowercase, ``%`` -> ``pct``,
    every run of other characters -> ``_`` (so NBSP, curly apostrophes and quotes all fold)."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    folded = folded.replace("%", " pct ")
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_")


# Localized header keys (already normalized) -> canonical English header.
# docs/WHOOP.md#files-and-containers.
_FOREIGN: dict[str, str] = {
    # de
    "startzeit_des_zyklus": "Cycle start time", "endzeit_des_zyklus": "Cycle end time",
    "zeitzone_des_zyklus": "Cycle timezone", "erholungswert_pct": "Recovery score %",
    "ruheherzfrequenz_schlage_pro_minute": "Resting heart rate (bpm)",
    "herzfrequenzvariabilitat_ms": "Heart rate variability (ms)",
    "hauttemperatur_celsius": "Skin temp (celsius)", "blutsauerstoff_pct": "Blood oxygen %",
    "tagesbelastung": "Day Strain", "verbrannte_energie_cal": "Energy burned (cal)",
    "max_hf_schlage_pro_minute": "Max HR (bpm)",
    "durchschnittliche_hf_schlage_pro_minute": "Average HR (bpm)",
    "beginn_des_schlafs": "Sleep onset", "beginn_des_aufwachens": "Wake onset",
    "schlafleistung_pct": "Sleep performance %",
    "atemfrequenz_atemzuge_min": "Respiratory rate (rpm)",
    "schlafdauer_min": "Asleep duration (min)", "dauer_im_bett_min": "In bed duration (min)",
    "dauer_des_leichtschlafs_min": "Light sleep duration (min)",
    "dauer_des_tiefschlafs_min": "Deep (SWS) duration (min)",
    "dauer_des_rem_schlafs_min": "REM duration (min)",
    "dauer_des_aufwachens_min": "Awake duration (min)", "schlafbedarf_min": "Sleep need (min)",
    "schlafdefizit_min": "Sleep debt (min)", "schlafeffizienz_pct": "Sleep efficiency %",
    "schlafbestandigkeit_pct": "Sleep consistency %", "nickerchen": "Nap",
    "startzeit_des_trainings": "Workout start time",
    "endzeit_des_trainings": "Workout end time", "name_der_aktivitat": "Activity name",
    "aktivitatsbelastung": "Activity Strain", "fragetext": "Question text",
    "beantwortet_mit_ja": "Answered yes", "anmerkungen": "Notes",
    # es
    "hora_de_inicio_del_ciclo": "Cycle start time",
    "hora_de_finalizacion_del_ciclo": "Cycle end time",
    "zona_horaria_del_ciclo": "Cycle timezone",
    "puntuacion_de_recuperacion_pct": "Recovery score %",
    "frecuencia_cardiaca_en_reposo_lpm": "Resting heart rate (bpm)",
    "variabilidad_de_la_frecuencia_cardiaca_ms": "Heart rate variability (ms)",
    "temp_cutanea_grados_centigrados": "Skin temp (celsius)",
    "oxigeno_en_sangre_pct": "Blood oxygen %", "esfuerzo_del_dia": "Day Strain",
    "energia_quemada_cal": "Energy burned (cal)", "fc_max_lpm": "Max HR (bpm)",
    "fc_promedio_lpm": "Average HR (bpm)", "inicio_del_sueno": "Sleep onset",
    "inicio_de_la_vigilia": "Wake onset", "calificacion_del_sueno_pct": "Sleep performance %",
    "frecuencia_respiratoria_rpm": "Respiratory rate (rpm)",
    "duracion_del_sueno_min": "Asleep duration (min)",
    "tiempo_en_la_cama_min": "In bed duration (min)",
    "duracion_de_sueno_ligero_min": "Light sleep duration (min)",
    "duracion_de_sueno_profundo_sws_min": "Deep (SWS) duration (min)",
    "duracion_de_sueno_rem_min": "REM duration (min)",
    "tempo_despierto_a_min": "Awake duration (min)", "sueno_necesario_min": "Sleep need (min)",
    "deuda_de_sueno_min": "Sleep debt (min)", "eficiencia_del_sueno_pct": "Sleep efficiency %",
    "regularidad_del_sueno_pct": "Sleep consistency %", "siesta": "Nap",
    "hora_de_inicio_del_entrenamiento": "Workout start time",
    "hora_de_finalizacion_del_entrenamiento": "Workout end time",
    "nombre_de_la_actividad": "Activity name", "esfuerzo_de_la_actividad": "Activity Strain",
    "texto_de_la_pregunta": "Question text", "respondio_si": "Answered yes", "notas": "Notes",
    # fr
    "heure_de_debut_du_cycle": "Cycle start time", "heure_de_fin_du_cycle": "Cycle end time",
    "fuseau_horaire_du_cycle": "Cycle timezone", "score_de_recuperation_pct": "Recovery score %",
    "frequence_cardiaque_au_repos_bpm": "Resting heart rate (bpm)",
    "variabilite_de_la_frequence_cardiaque_ms": "Heart rate variability (ms)",
    "temperature_cutanee_celsius": "Skin temp (celsius)", "niveau_d_oxygene_pct": "Blood oxygen %",
    "effort_du_jour": "Day Strain", "depense_energetique_cal": "Energy burned (cal)",
    "fc_max_bpm": "Max HR (bpm)", "fc_moyenne_bpm": "Average HR (bpm)",
    "premiers_signes_de_sommeil": "Sleep onset", "premiers_signes_de_reveil": "Wake onset",
    "performance_sommeil_pct": "Sleep performance %",
    "frequence_respiratoire_tr_min": "Respiratory rate (rpm)",
    "duree_du_sommeil_min": "Asleep duration (min)",
    "temps_passe_au_lit_min": "In bed duration (min)",
    "duree_du_sommeil_leger_min": "Light sleep duration (min)",
    "duree_du_sommeil_profond_min": "Deep (SWS) duration (min)",
    "duree_du_sommeil_paradoxal_min": "REM duration (min)",
    "temps_d_eveil_min": "Awake duration (min)", "besoins_en_sommeil_min": "Sleep need (min)",
    "dette_de_sommeil_min": "Sleep debt (min)", "efficacite_du_sommeil_pct": "Sleep efficiency %",
    "regularite_du_sommeil_pct": "Sleep consistency %", "sieste": "Nap",
    "heure_de_debut_de_l_entrainement": "Workout start time",
    "heure_de_fin_de_l_entrainement": "Workout end time", "nom_de_l_activite": "Activity name",
    "effort_activite": "Activity Strain",
    **{f"zone_fc_{i}_pct": f"HR Zone {i} %" for i in range(1, 6)},
    # pt-BR
    "hora_de_inicio_do_ciclo": "Cycle start time", "hora_de_fim_do_ciclo": "Cycle end time",
    "fuso_horario_do_ciclo": "Cycle timezone",
    "pontuacao_de_recuperacao_pct": "Recovery score %",
    "frequencia_cardiaca_em_repouso_bpm": "Resting heart rate (bpm)",
    "variabilidade_da_frequencia_cardiaca_ms": "Heart rate variability (ms)",
    "temp_da_pele_celsius": "Skin temp (celsius)", "pct_de_oxigenio_no_sangue": "Blood oxygen %",
    "esforco_diario": "Day Strain", "energia_queimada_cal": "Energy burned (cal)",
    "fc_media_bpm": "Average HR (bpm)", "inicio_do_sono": "Sleep onset",
    "inicio_da_vigilia": "Wake onset", "desempenho_do_sono_pct": "Sleep performance %",
    "duracao_do_sono_min": "Asleep duration (min)", "duracao_na_cama_min": "In bed duration (min)",
    "duracao_do_sono_leve_min": "Light sleep duration (min)",
    "duracao_profundo_sono_min": "Deep (SWS) duration (min)",
    "duracao_rem_min": "REM duration (min)", "duracao_de_vigilia_min": "Awake duration (min)",
    "necessidade_de_sono_min": "Sleep need (min)", "debito_de_sono_min": "Sleep debt (min)",
    "eficacia_do_sono_pct": "Sleep efficiency %",
    "consistencia_do_sono_pct": "Sleep consistency %", "sesta": "Nap",
    "hora_de_inicio_do_treino": "Workout start time", "hora_de_fim_do_treino": "Workout end time",
    "nome_da_atividade": "Activity name", "esforco_da_atividade": "Activity Strain",
    **{f"zona_{i}_de_fc_pct": f"HR Zone {i} %" for i in range(1, 6)},
    "texto_de_pergunta": "Question text", "respondeu_sim": "Answered yes",
}

ALIASES: dict[str, str] = {
    **_FOREIGN,
    **{normalize(col): col for cols in CANONICAL.values() for col in cols},
}

# File names (normalized) -> kind, English and localized (docs/WHOOP.md#files-and-containers). Only
# a hint: the header decides, because sleeps.csv / workouts.csv also exist in the GDPR export.
FILE_NAMES: dict[str, str] = {
    normalize(n): kind for kind, names in {
        "cycles": ["physiological_cycles.csv", "physiologische_zyklen.csv",
                   "ciclos_fisiológicos.csv"],
        "sleeps": ["sleeps.csv", "Schlaf.csv", "sueño.csv", "sommeil.csv", "sonos.csv"],
        "workouts": ["workouts.csv", "Trainings.csv", "entrenamientos.csv", "entrainements.csv",
                     "entraînements.csv", "treinos.csv"],
        "journal": ["journal_entries.csv", "logbuch_eintraege.csv", "entradas_diário.csv"],
    }.items() for n in names
}

_GDPR_MARKERS = {"id", "created_at", "updated_at", "during", "user_id", "timezone_offset",
                 "score_state", "cycle_id", "hr", "ts", "accel_x"}

#: Where the WHOOP app makes the Data Export, the one wording every message, page and the README
#: use (WHOOP support, "How to Export Your Data":
#: https://support.whoop.com/APP_FEATURES__COACHING/Understanding_Your_WHOOP_Features/How_to_Export_Your_Data)
APP_EXPORT_PATH = "Menu > Export WHOOP Data > confirm your e-mail > Create Export"
REEXPORT = f"export again from the WHOOP app ({APP_EXPORT_PATH})"


def kind_from_name(base_name: str) -> str | None:
    """The kind a file name suggests (``sleeps.csv`` -> ``"sleeps"``), or None."""
    return FILE_NAMES.get(normalize(base_name))


def check_header_line(first_line: str, file: str) -> None:
    """Reject look-alike header lines before CSV parsing: ``;`` or tab separators.

    Raises:
        ExportFormatError: the line uses another separator than the comma.
    """
    if "," not in first_line and first_line.count(";") >= 2:
        raise ExportFormatError(
            "this looks like a spreadsheet re-save with ';' separators: " + REEXPORT
            + ", or re-save as comma-separated CSV (UTF-8)", file=file, line=1)
    if "," not in first_line and first_line.count("\t") >= 2:
        raise ExportFormatError(
            "this file is tab-separated, WHOOP exports are comma-separated: " + REEXPORT
            + ", or re-save as comma-separated CSV (UTF-8)", file=file, line=1)


def is_gdpr_header(header: list[str]) -> bool:
    """True for the GDPR/privacy export's snake_case headers (docs/WHOOP.md#files-and-containers)."""
    cells = [h.strip() for h in header]
    snake = sum(bool(re.fullmatch(r"[a-z][a-z0-9_]*", c)) for c in cells)
    return snake == len(cells) and bool(_GDPR_MARKERS & set(cells))


def map_header(header: list[str]) -> list[str | None]:
    """Canonical English name of each header cell (None when unknown)."""
    return [ALIASES.get(normalize(h)) for h in header]


def detect_kind(mapped: list[str | None], name_hint: str | None) -> str | None:
    """The file kind for a mapped header: the kind with most distinctive columns; the name hint
    decides when the header only has the shared ``Cycle ...`` columns. None when unknown."""
    present = {m for m in mapped if m}
    scores = {k: len(present & cols) for k, cols in _DISTINCT.items()}
    best = max(scores, key=lambda k: scores[k])
    if scores[best] > 0:
        if name_hint and scores[name_hint] == scores[best]:
            return name_hint
        return best
    if name_hint and "Cycle start time" in present:
        return name_hint
    return None


def required(kind: str) -> list[str]:
    """Columns a file of ``kind`` must have (all canonical ones except OPTIONAL)."""
    return [c for c in CANONICAL[kind] if c not in OPTIONAL[kind]]
